import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AtlasAuthError } from '../../lambda/atlas/index.ts';
import { type Simulator, startSimulator } from '../../sim/index.ts';
import { clientFor, collect, requestsSince } from './helpers/sim-client.ts';

const tokenRequests = (sim: Simulator, from: number) =>
  requestsSince(sim, from).filter((entry) => entry.url === '/api/oauth/token');

describe('Class: AtlasClient (OAuth service account) against the simulator', () => {
  let sim: Simulator;
  let orgId: string;

  beforeAll(async () => {
    sim = await startSimulator({ seed: { keysPerOrg: 29 } });
    orgId = sim.workers[0]!.orgId;
  });
  afterAll(async () => {
    await sim.close();
  });

  it('pages with one token request: 1 token + 3 pages', async () => {
    const { client } = clientFor(sim, 'oauth');
    const from = sim.requests.length;
    const keys = await collect(client.listOrgKeys(orgId, { itemsPerPage: 10 }));
    await client.close();
    expect(keys).toHaveLength(30);
    expect(requestsSince(sim, from).map((entry) => [entry.method, entry.status, entry.auth])).toEqual([
      ['POST', 200, 'basic'],
      ['GET', 200, 'bearer'],
      ['GET', 200, 'bearer'],
      ['GET', 200, 'bearer'],
    ]);
  });

  it('one refresh in flight: 25 concurrent calls on a fresh client make one token request', async () => {
    const { client } = clientFor(sim, 'oauth');
    const from = sim.requests.length;
    await Promise.all(Array.from({ length: 25 }, () => client.getOrg(orgId)));
    await client.close();
    expect(tokenRequests(sim, from)).toHaveLength(1);
  });

  it('deletes entries and keys with a bearer token (no caller-entry rule for service accounts)', async () => {
    const key = sim.state.apiKeys.find((candidate) => candidate.orgId === orgId && candidate.id !== sim.workers[0]!.apiKeyId)!;
    key.accessList.push({ cidrBlock: '198.51.100.0/24', created: new Date().toISOString(), count: 0 });
    const { client } = clientFor(sim, 'oauth');
    expect(await client.deleteAccessListEntry(orgId, key.id, '198.51.100.0/24')).toBe('done');
    expect(await client.deleteOrgKey(orgId, key.id)).toBe('done');
    expect(await client.deleteOrgKey(orgId, key.id)).toBe('already-absent');
    await client.close();
  });

  it('a refused client secret is an AtlasAuthError naming invalid_client, without the secret', async () => {
    const secret = 'mdb_sa_sk_wrong-secret-for-test';
    const { client } = clientFor(sim, 'oauth', 'atlas', {
      credentials: { kind: 'oauth', clientId: sim.workers[0]!.clientId, clientSecret: secret },
    });
    const error = await client.getOrg(orgId).catch((thrown: unknown) => thrown);
    await client.close();
    expect(error).toBeInstanceOf(AtlasAuthError);
    expect(error).toMatchObject({ status: 401, errorCode: 'invalid_client', path: '/api/oauth/token' });
    const rendered = `${(error as Error).message}${(error as Error).stack}${JSON.stringify(error)}${inspect(error)}`;
    expect(rendered).not.toContain(secret);
    expect(rendered).not.toContain(Buffer.from(`${sim.workers[0]!.clientId}:${secret}`).toString('base64'));
  });
});

describe('Class: AtlasClient (OAuth) › token expiry', () => {
  it('refreshes a token before it expires (short tokenTtlSeconds)', async () => {
    const sim = await startSimulator({ seed: { keysPerOrg: 3 }, tokenTtlSeconds: 1 });
    const orgId = sim.workers[0]!.orgId;
    const { client } = clientFor(sim, 'oauth');
    await client.getOrg(orgId);
    await client.getOrg(orgId); // still fresh: reused
    await new Promise((resolve) => setTimeout(resolve, 600)); // past half its 1 s lifetime
    await client.getOrg(orgId);
    await client.close();
    await sim.close();
    expect(sim.requests.map((entry) => entry.status)).toEqual([200, 200, 200, 200, 200]);
    expect(tokenRequests(sim, 0)).toHaveLength(2);
  });

  it('on a 401 for a token it thought valid, refreshes once and retries once', async () => {
    const sim = await startSimulator({ seed: { keysPerOrg: 3 }, tokenTtlSeconds: 1 });
    const orgId = sim.workers[0]!.orgId;
    // The client's clock stands still, so it trusts its token; the server's does not.
    const frozen = Date.now();
    const { client, events } = clientFor(sim, 'oauth', 'atlas', { now: () => frozen });
    await client.getOrg(orgId);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const [a, b] = await Promise.all([client.getOrg(orgId), client.getOrg(orgId)]);
    await client.close();
    await sim.close();
    expect(a.id).toBe(orgId);
    expect(b.id).toBe(orgId);
    expect(sim.requests.map((entry) => [entry.method, entry.status])).toEqual([
      ['POST', 200],
      ['GET', 200],
      ['GET', 401],
      ['GET', 401],
      ['POST', 200],
      ['GET', 200],
      ['GET', 200],
    ]);
    expect(events.filter((event) => event.type === 'auth' && event.what === 'token-refused')).toHaveLength(2);
  });
});
