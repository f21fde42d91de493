import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AtlasApiError, AtlasAuthError } from '../../lambda/atlas/index.ts';
import { type Simulator, startSimulator } from '../../sim/index.ts';
import { clientFor, collect, requestsSince } from './helpers/sim-client.ts';

describe('Class: AtlasClient (Digest, atlas) against the simulator', () => {
  let sim: Simulator;
  let orgId: string;

  beforeAll(async () => {
    // 1,199 keys plus the worker's own: 3 pages of 500.
    sim = await startSimulator({ seed: { keysPerOrg: 1199, projectsPerOrg: 3 }, nonceTtlMs: 60_000 });
    orgId = sim.workers[0]!.orgId;
  });
  afterAll(async () => {
    await sim.close();
  });

  describe('Method: listOrgKeys', () => {
    it('pages through 1,200 keys in 3 pages; nonce reuse makes it 1 challenge + 3 requests', async () => {
      // Prepare
      const { client, events } = clientFor(sim, 'digest');
      const from = sim.requests.length;
      // Act
      const pages = [];
      for await (const page of client.listOrgKeys(orgId)) pages.push(page);
      await client.close();
      // Assess
      expect(pages.map((page) => page.results.length)).toEqual([500, 500, 200]);
      expect(pages.map((page) => page.hasNext)).toEqual([true, true, false]);
      expect(pages[0]?.totalCount).toBe(1200);
      expect(new Set(pages.flatMap((page) => page.results.map((key) => key.id))).size).toBe(1200);
      const sent = requestsSince(sim, from);
      expect(sent.map((entry) => [entry.status, entry.auth])).toEqual([
        [401, 'none'],
        [200, 'digest'],
        [200, 'digest'],
        [200, 'digest'],
      ]);
      expect(sent.map((entry) => entry.url)).toEqual([
        `/api/atlas/v2/orgs/${orgId}/apiKeys?pageNum=1&itemsPerPage=500`,
        `/api/atlas/v2/orgs/${orgId}/apiKeys?pageNum=1&itemsPerPage=500`,
        `/api/atlas/v2/orgs/${orgId}/apiKeys?pageNum=2&itemsPerPage=500`,
        `/api/atlas/v2/orgs/${orgId}/apiKeys?pageNum=3&itemsPerPage=500`,
      ]);
      expect(events.filter((event) => event.type === 'auth')).toEqual([{ type: 'auth', scheme: 'digest', what: 'challenge' }]);
    });

    it('without nonce reuse (a fresh client per page) the same listing costs 6 requests', async () => {
      const from = sim.requests.length;
      for (const startPage of [1, 2, 3]) {
        const { client } = clientFor(sim, 'digest');
        for await (const page of client.listOrgKeys(orgId, { startPage })) {
          expect(page.pageNum).toBe(startPage);
          break;
        }
        await client.close();
      }
      expect(requestsSince(sim, from).map((entry) => entry.status)).toEqual([401, 200, 401, 200, 401, 200]);
    });

    it('keeps unknown fields and parses roles', async () => {
      const { client } = clientFor(sim, 'digest');
      let first: Record<string, unknown> | undefined;
      for await (const page of client.listOrgKeys(orgId, { itemsPerPage: 1 })) {
        first = page.results[0];
        break;
      }
      await client.close();
      expect(first?.['links']).toBeDefined();
      expect(Array.isArray(first?.['roles'])).toBe(true);
    });
  });

  describe('Method: concurrency', () => {
    it('a burst of calls on a fresh client draws one challenge, and every nc is accepted', async () => {
      const { client } = clientFor(sim, 'digest');
      const from = sim.requests.length;
      const orgs = await Promise.all(Array.from({ length: 20 }, () => client.getOrg(orgId)));
      await client.close();
      expect(orgs.every((org) => org.id === orgId)).toBe(true);
      const sent = requestsSince(sim, from);
      expect(sent.filter((entry) => entry.auth === 'none')).toHaveLength(1);
      expect(sent.filter((entry) => entry.status === 200)).toHaveLength(20);
      // Arrival order can differ from signing order, so a few `nc` replays (stale) are allowed, not failures.
      expect(sent.filter((entry) => entry.status !== 200 && entry.status !== 401)).toHaveLength(0);
    });
  });

  describe('Method: listAccessList / listProjectKeys / listOrgProjects', () => {
    it('lists projects, project keys and a key access list', async () => {
      const { client } = clientFor(sim, 'digest');
      const projects = await collect(client.listOrgProjects(orgId, { itemsPerPage: 2 }));
      expect(projects).toHaveLength(3);
      expect(projects.every((project) => project.orgId === orgId)).toBe(true);
      const projectKeys = await collect(client.listProjectKeys(projects[0]!.id));
      expect(projectKeys.length).toBeGreaterThan(0);
      const entries = await collect(client.listAccessList(orgId, sim.workers[0]!.apiKeyId));
      expect(entries.map((entry) => entry.cidrBlock)).toContain('127.0.0.1/32');
      await client.close();
    });
  });

  describe('Method: deleteAccessListEntry', () => {
    it('deletes a CIDR block and IPv6 entries (compressed input, uncompressed path), then reports already-absent', async () => {
      // Prepare
      const key = sim.state.apiKeys.find((candidate) => candidate.orgId === orgId && candidate.id !== sim.workers[0]!.apiKeyId)!;
      const created = new Date().toISOString();
      key.accessList.push(
        { cidrBlock: '192.0.2.0/24', created, count: 0 },
        { cidrBlock: '2001:db8:1::/48', created, count: 0 },
        { cidrBlock: '2001:db8::7', ipAddress: '2001:db8::7', created, count: 0 },
      );
      const { client } = clientFor(sim, 'digest');
      const from = sim.requests.length;
      // Act
      const outcomes = [
        await client.deleteAccessListEntry(orgId, key.id, '192.0.2.0/24'),
        await client.deleteAccessListEntry(orgId, key.id, '2001:DB8:1::/48'),
        await client.deleteAccessListEntry(orgId, key.id, '2001:db8::7'),
        await client.deleteAccessListEntry(orgId, key.id, '192.0.2.0/24'),
      ];
      await client.close();
      // Assess
      expect(outcomes).toEqual(['done', 'done', 'done', 'already-absent']);
      const urls = requestsSince(sim, from).filter((entry) => entry.status !== 401).map((entry) => entry.url);
      expect(urls).toEqual([
        `/api/atlas/v2/orgs/${orgId}/apiKeys/${key.id}/accessList/192.0.2.0%2F24`,
        `/api/atlas/v2/orgs/${orgId}/apiKeys/${key.id}/accessList/2001:db8:1:0:0:0:0:0%2F48`,
        `/api/atlas/v2/orgs/${orgId}/apiKeys/${key.id}/accessList/2001:db8:0:0:0:0:0:7`,
        `/api/atlas/v2/orgs/${orgId}/apiKeys/${key.id}/accessList/192.0.2.0%2F24`,
      ]);
      expect(key.accessList.map((entry) => entry.cidrBlock)).not.toContain('192.0.2.0/24');
    });

    it('surfaces CANNOT_REMOVE_CALLER_FROM_ACCESS_LIST as a typed error', async () => {
      const { client } = clientFor(sim, 'digest');
      const error = await client
        .deleteAccessListEntry(orgId, sim.workers[0]!.apiKeyId, '127.0.0.1')
        .catch((thrown: unknown) => thrown);
      await client.close();
      expect(error).toBeInstanceOf(AtlasApiError);
      expect(error).toMatchObject({
        kind: 'http',
        status: 400,
        errorCode: 'CANNOT_REMOVE_CALLER_FROM_ACCESS_LIST',
        method: 'DELETE',
        path: `/api/atlas/v2/orgs/${orgId}/apiKeys/${sim.workers[0]!.apiKeyId}/accessList/127.0.0.1`,
      });
    });
  });

  describe('Method: removeKeyFromProject / deleteOrgKey', () => {
    it('unassigns then deletes a key; repeats resolve already-absent (404 and 400 API_KEY_NOT_FOUND)', async () => {
      const key = sim.state.apiKeys.find(
        (candidate) => candidate.orgId === orgId && candidate.roles.some((role) => role.groupId !== undefined),
      )!;
      const groupId = key.roles.find((role) => role.groupId !== undefined)!.groupId!;
      const { client } = clientFor(sim, 'digest');
      const from = sim.requests.length;
      expect(await client.removeKeyFromProject(groupId, key.id)).toBe('done');
      expect(await client.removeKeyFromProject(groupId, key.id)).toBe('already-absent');
      expect(await client.deleteOrgKey(orgId, key.id)).toBe('done');
      expect(await client.deleteOrgKey(orgId, key.id)).toBe('already-absent');
      await client.close();
      expect(requestsSince(sim, from).map((entry) => entry.status)).toEqual([401, 204, 404, 204, 400]);
    });
  });

  describe('Method: auth failures', () => {
    it('a wrong private key fails with AtlasAuthError after one fresh challenge, without the key', async () => {
      const { client } = clientFor(sim, 'digest', 'atlas', {
        credentials: { kind: 'digest', publicKey: sim.workers[0]!.publicKey, privateKey: 'wrong-private-key-0000' },
      });
      const from = sim.requests.length;
      const error = await client.getOrg(orgId).catch((thrown: unknown) => thrown);
      await client.close();
      expect(error).toBeInstanceOf(AtlasAuthError);
      // Live Atlas's 401: UNEXPECTED_ERROR, pretty-printed, no parameters; the client reads it all the same.
      expect(error).toMatchObject({ status: 401, errorCode: 'UNEXPECTED_ERROR', reason: 'Unauthorized', attempts: 3 });
      expect(JSON.stringify(error) + String((error as Error).stack)).not.toContain('wrong-private-key-0000');
      // Probe, signed attempt, one retry on a fresh challenge.
      expect(requestsSince(sim, from).map((entry) => entry.status)).toEqual([401, 401, 401]);
    });
  });
});

describe('Class: AtlasClient (Digest) › stale nonce', () => {
  it('retries once with the new nonce when the server says stale=true', async () => {
    const sim = await startSimulator({ seed: { keysPerOrg: 3 }, nonceTtlMs: 300 });
    const { client, events } = clientFor(sim, 'digest');
    const orgId = sim.workers[0]!.orgId;
    await client.getOrg(orgId);
    await new Promise((resolve) => setTimeout(resolve, 400));
    const from = sim.requests.length;
    await client.getOrg(orgId);
    await client.close();
    await sim.close();
    expect(requestsSince(sim, from).map((entry) => [entry.status, entry.auth])).toEqual([
      [401, 'digest'],
      [200, 'digest'],
    ]);
    expect(events).toContainEqual({ type: 'auth', scheme: 'digest', what: 'stale-nonce' });
  });
});
