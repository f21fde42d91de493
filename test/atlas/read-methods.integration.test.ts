import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AtlasApiError, type AtlasClient, isNotFound } from '../../lambda/atlas/index.ts';
import { InputValidationError } from '../../lambda/validation/errors.ts';
import { type Simulator, startSimulator } from '../../sim/index.ts';
import { clientFor, collect, requestsSince } from './helpers/sim-client.ts';

describe('Class: AtlasClient › reads for revocations and command scoping', () => {
  let sim: Simulator;
  let orgId: string;
  let client: AtlasClient;
  const others = () => sim.state.apiKeys.filter((key) => key.orgId === orgId && key.id !== sim.workers[0]!.apiKeyId);

  beforeAll(async () => {
    sim = await startSimulator({ seed: { seed: 41, orgs: 2, keysPerOrg: 23, projectsPerOrg: 2 } });
    orgId = sim.workers[0]!.orgId;
    client = clientFor(sim, 'digest', 'atlas', { retry: { maxAttempts: 1 } }).client;
  });
  afterEach(() => sim.clearFaults());
  afterAll(async () => {
    await client.close();
    await sim.close();
  });

  describe('Method: getOrgKey', () => {
    it('reads one key with one request', async () => {
      // Prepare
      const key = others()[0]!;
      await client.getOrg(orgId); // the Digest challenge, so the count below is the read alone
      const from = sim.requests.length;

      // Act
      const read = await client.getOrgKey(orgId, key.id);

      // Assess
      expect(read).toMatchObject({ id: key.id, publicKey: key.publicKey, desc: key.desc, roles: key.roles });
      expect(requestsSince(sim, from).map((entry) => `${entry.method} ${entry.url} ${entry.status}`)).toEqual([
        `GET /api/atlas/v2/orgs/${orgId}/apiKeys/${key.id} 200`,
      ]);
    });

    it('throws an error isNotFound recognises for a key that does not exist (400 API_KEY_NOT_FOUND) or a 404 API_KEY_NOT_FOUND', async () => {
      // Prepare
      const missing = 'dddddddddddddddddddddd99';
      const foreign = sim.state.apiKeys.find((key) => key.orgId !== orgId)!;

      // Act
      const native = await client.getOrgKey(orgId, missing).catch((thrown: unknown) => thrown);
      const inOtherOrg = await client.getOrgKey(orgId, foreign.id).catch((thrown: unknown) => thrown);
      sim.addFault({ method: 'GET', path: missing, times: 1, fault: { kind: 'status', status: 404, errorCode: 'API_KEY_NOT_FOUND', parameters: [missing] } });
      const scripted = await client.getOrgKey(orgId, missing).catch((thrown: unknown) => thrown);

      // Assess
      expect(native).toMatchObject({ status: 400, errorCode: 'API_KEY_NOT_FOUND' });
      expect([native, inOtherOrg, scripted].map((error) => isNotFound(error))).toEqual([true, true, true]);
    });

    it('fails with the wrong-path hint, not "not found", for a 404 without an Atlas body', async () => {
      // Prepare
      const key = others()[1]!;
      sim.addFault({ method: 'GET', path: key.id, times: 1, fault: { kind: 'status', status: 404, body: '<html>Not Found</html>' } });

      // Act
      const error = await client.getOrgKey(orgId, key.id).catch((thrown: unknown) => thrown);

      // Assess
      expect(error).toBeInstanceOf(AtlasApiError);
      expect(isNotFound(error)).toBe(false);
      expect((error as Error).message).toMatch(/the base URL or path may be wrong/);
    });

    it('reads a key stored with "desc": null as a key without a description', async () => {
      // Prepare
      const key = others()[2]!;
      key.desc = null;

      // Act
      const read = await client.getOrgKey(orgId, key.id);
      const listed = (await collect(client.listOrgKeys(orgId))).find((candidate) => candidate.id === key.id);

      // Assess
      expect(read).not.toHaveProperty('desc');
      expect(listed).not.toHaveProperty('desc');
      expect(listed).toMatchObject({ id: key.id, publicKey: key.publicKey });
    });
  });

  describe('Method: getProject', () => {
    it('reads a project with its orgId; an unknown one is 404 GROUP_NOT_FOUND, which isNotFound(…, "project") recognises', async () => {
      // Prepare
      const project = sim.state.projects.find((candidate) => candidate.orgId === orgId)!;
      const foreign = sim.state.projects.find((candidate) => candidate.orgId !== orgId)!;

      // Act
      const read = await client.getProject(project.id);
      const unknown = await client.getProject('eeeeeeeeeeeeeeeeeeeeee01').catch((thrown: unknown) => thrown);
      const elsewhere = await client.getProject(foreign.id).catch((thrown: unknown) => thrown);

      // Assess
      expect(read).toMatchObject({ id: project.id, name: project.name, orgId });
      // A project of an org the key has no role in is forbidden, not unknown: out of scope either way.
      expect(elsewhere).toMatchObject({ status: 403, errorCode: 'ACCESS_FORBIDDEN' });
      expect(isNotFound(elsewhere, 'project')).toBe(false);
      expect(unknown).toMatchObject({ status: 404, errorCode: 'GROUP_NOT_FOUND' });
      expect(isNotFound(unknown, 'project')).toBe(true);
      expect(isNotFound(unknown)).toBe(false);
    });

    it('validates the id before any request', async () => {
      // Act / Assess
      await expect(client.getProject('not-a-project')).rejects.toThrow(InputValidationError);
      await expect(client.getProject('not-a-project')).rejects.toThrow(/groupId/);
    });
  });

  describe('Method: getOrgKeysPage', () => {
    it('fetches any page alone; pages fetched concurrently after the first (its totalCount) cover the listing in order', async () => {
      // Act
      const first = await client.getOrgKeysPage(orgId, 1, { itemsPerPage: 5 });
      const count = Math.ceil((first.totalCount ?? 0) / 5);
      const rest = await Promise.all(Array.from({ length: count - 1 }, (_, at) => client.getOrgKeysPage(orgId, at + 2, { itemsPerPage: 5 })));

      // Assess
      const pages = [first, ...rest];
      expect(first.totalCount).toBe(24);
      expect(pages.map((page) => [page.pageNum, page.results.length, page.hasNext])).toEqual([
        [1, 5, true],
        [2, 5, true],
        [3, 5, true],
        [4, 5, true],
        [5, 4, false],
      ]);
      const listed = pages.flatMap((page) => page.results.map((key) => key.publicKey));
      const expected = sim.state.apiKeys.filter((key) => key.orgId === orgId).map((key) => key.publicKey);
      expect(listed).toEqual([...expected].sort());
    });

    it('answers an empty last page past the end, and names pageNum when it is not an integer ≥ 1', async () => {
      // Act
      const past = await client.getOrgKeysPage(orgId, 99, { itemsPerPage: 5 });

      // Assess
      expect(past).toMatchObject({ pageNum: 99, results: [], hasNext: false, totalCount: 24 });
      await expect(client.getOrgKeysPage(orgId, 0)).rejects.toThrow(/pageNum: must be an integer ≥ 1, given 0/);
      await expect(client.getOrgKeysPage(orgId, 1.5)).rejects.toThrow(/pageNum/);
    });
  });

  describe('ListOptions.maxPages', () => {
    it('stops after that many pages, from startPage', async () => {
      // Prepare
      const from = sim.requests.length;

      // Act
      const pages = [];
      for await (const page of client.listOrgKeys(orgId, { itemsPerPage: 5, startPage: 2, maxPages: 2 })) pages.push(page);

      // Assess
      expect(pages.map((page) => [page.pageNum, page.hasNext])).toEqual([
        [2, true],
        [3, true],
      ]);
      expect(requestsSince(sim, from)).toHaveLength(2);
      expect(() => client.listOrgKeys(orgId, { maxPages: 0 })).toThrow(/maxPages: must be an integer ≥ 1, given 0/);
    });
  });
});
