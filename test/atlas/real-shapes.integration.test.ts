import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AtlasApiError, AtlasAuthError, AtlasDeadlineError, isNotFound } from '../../lambda/atlas/index.ts';
import { type Simulator, startSimulator } from '../../sim/index.ts';
import { clientFor, collect, requestsSince } from './helpers/sim-client.ts';

/**
 * Issue 10: the client accepts each shape live Atlas was recorded to send (shared/atlas/README.md), over real
 * HTTP against the simulator, which sends them by default.
 */
describe('Class: AtlasClient › the shapes live Atlas sends', () => {
  let sim: Simulator;
  let orgId: string;
  const other = () => sim.state.apiKeys.find((key) => key.orgId === orgId && key.id !== sim.workers[0]!.apiKeyId)!;

  beforeAll(async () => {
    sim = await startSimulator({ seed: { seed: 21, keysPerOrg: 12 } });
    orgId = sim.workers[0]!.orgId;
  });
  afterEach(() => sim.clearFaults());
  afterAll(async () => {
    await sim.close();
  });

  describe('Ratelimit-* headers, in any case', () => {
    // A frozen clock: the client's bucket never refills, so whether it adopted the server's count shows as a
    // refusal to wait past a deadline, without sending (a count of requests, not a race).
    const frozen = Date.parse('2025-03-01T00:00:00Z');

    it.each(['Ratelimit-Remaining', 'RATELIMIT-REMAINING', 'ratelimit-remaining', 'RateLimit-Remaining'])(
      'adopts "%s: 0" into its pacing',
      async (name) => {
        // Prepare
        const { client } = clientFor(sim, 'digest', 'atlas', { now: () => frozen });
        await client.getOrg(orgId); // the Digest challenge first, so the fault below meets the signed listing
        sim.addFault({ method: 'GET', path: `/orgs/${orgId}/apiKeys`, times: 1, fault: { kind: 'headers', headers: { [name]: '0' } } });
        await client.getOrgKeysPage(orgId, 1);
        const from = sim.requests.length;

        // Act
        const error = await client.getOrgKeysPage(orgId, 1, { deadline: frozen + 100 }).catch((thrown: unknown) => thrown);
        await client.close();

        // Assess
        expect(error).toBeInstanceOf(AtlasDeadlineError);
        expect((error as Error).message).toMatch(/would wait \d+ ms for a rate-limit token/);
        expect(requestsSince(sim, from)).toEqual([]);
      },
    );

    it('keeps calling while the server says tokens remain (the control for the cases above)', async () => {
      // Prepare
      const { client } = clientFor(sim, 'digest', 'atlas', { now: () => frozen });
      await client.getOrg(orgId);
      await client.getOrgKeysPage(orgId, 1);

      // Act
      const page = await client.getOrgKeysPage(orgId, 1, { deadline: frozen + 100 });
      await client.close();

      // Assess
      expect(page.results.length).toBe(13);
    });
  });

  describe('media type with charset', () => {
    it('reads 200 bodies and 204 answers sent as application/vnd.atlas.2023-01-01+json;charset=utf-8', async () => {
      // Prepare
      const { client, events } = clientFor(sim, 'digest');
      const key = other();
      key.accessList.push({ cidrBlock: '192.0.2.201', ipAddress: '192.0.2.201', created: '2024-01-01T00:00:00Z', count: 0 });

      // Act
      const keys = await collect(client.listOrgKeys(orgId));
      const outcome = await client.deleteAccessListEntry(orgId, key.id, '192.0.2.201');
      await client.close();

      // Assess
      expect(keys).toHaveLength(13);
      expect(outcome).toBe('done');
      expect(events.filter((event) => event.type === 'response').map((event) => event.type === 'response' && event.status)).toContain(204);
    });
  });

  describe('error bodies', () => {
    it('reads parameters: null, and filled parameters, alike', async () => {
      // Prepare
      const { client } = clientFor(sim, 'digest');
      sim.addFault({ method: 'GET', path: `/orgs/${orgId}`, times: 1, fault: { kind: 'status', status: 403, errorCode: 'ACCESS_FORBIDDEN', parameters: null } });

      // Act
      const forbidden = await client.getOrg(orgId).catch((thrown: unknown) => thrown);
      const unknownProject = await client.getProject('eeeeeeeeeeeeeeeeeeeeee01').catch((thrown: unknown) => thrown);
      await client.close();

      // Assess
      expect(forbidden).toBeInstanceOf(AtlasApiError);
      expect(forbidden).toMatchObject({ status: 403, errorCode: 'ACCESS_FORBIDDEN', reason: 'Forbidden' });
      expect(unknownProject).toMatchObject({ status: 404, errorCode: 'GROUP_NOT_FOUND', detail: 'No group with ID eeeeeeeeeeeeeeeeeeeeee01 exists.' });
      expect(isNotFound(unknownProject, 'project')).toBe(true);
    });

    it('reads the pretty-printed 401 UNEXPECTED_ERROR body (no parameters) of a refused key', async () => {
      // Prepare
      const { client } = clientFor(sim, 'digest', 'atlas', {
        credentials: { kind: 'digest', publicKey: sim.workers[0]!.publicKey, privateKey: 'not-the-key-0000' },
      });

      // Act
      const error = await client.listOrgKeys(orgId)[Symbol.asyncIterator]().next().catch((thrown: unknown) => thrown);
      await client.close();

      // Assess
      expect(error).toBeInstanceOf(AtlasAuthError);
      expect(error).toMatchObject({ status: 401, errorCode: 'UNEXPECTED_ERROR', reason: 'Unauthorized', detail: expect.any(String) });
    });
  });

  describe('Digest nonces in standard base64', () => {
    it('quotes and echoes a nonce holding "+" and "/" exactly, so the server accepts it', async () => {
      // Prepare
      const authorizations: string[] = [];
      const watched = await startSimulator({
        seed: { seed: 21, keysPerOrg: 2 },
        onRequest: (request) => {
          if (typeof request.headers.authorization === 'string') authorizations.push(request.headers.authorization);
        },
      });
      const { client } = clientFor(watched, 'digest');

      // Act
      await client.getOrg(watched.workers[0]!.orgId);
      await client.getOrg(watched.workers[0]!.orgId);
      await client.close();
      await watched.close();

      // Assess
      expect(watched.requests.map((entry) => entry.status)).toEqual([401, 200, 200]);
      const nonces = authorizations.map((header) => /nonce="([^"]*)"/.exec(header)?.[1]);
      expect(nonces).toHaveLength(2);
      expect(nonces[0]).toMatch(/^\+\/[A-Za-z0-9+/]+={0,2}$/);
      expect(nonces[1]).toBe(nonces[0]);
    });
  });

  describe('listings sorted by publicKey, with more roles than before', () => {
    it('reads keys with up to ~30 roles, several org roles and two roles on one project, in publicKey order', async () => {
      // Prepare
      const rich = await startSimulator({ seed: { seed: 4, keysPerOrg: 200, manyRolesFraction: 0.2 } });
      const { client } = clientFor(rich, 'oauth');

      // Act
      const keys = await collect(client.listOrgKeys(rich.workers[0]!.orgId, { itemsPerPage: 50 }));
      await client.close();
      await rich.close();

      // Assess
      const publicKeys = keys.map((key) => key.publicKey);
      expect(publicKeys).toEqual([...publicKeys].sort());
      expect(Math.max(...keys.map((key) => key.roles.length))).toBeGreaterThanOrEqual(25);
      expect(keys.some((key) => key.roles.filter((role) => role.orgId !== undefined).length >= 3)).toBe(true);
      expect(
        keys.some((key) => {
          const groups = key.roles.flatMap((role) => (role.groupId === undefined ? [] : [role.groupId]));
          return new Set(groups).size < groups.length;
        }),
      ).toBe(true);
    });
  });
});
