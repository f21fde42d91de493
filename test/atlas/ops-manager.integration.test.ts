import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Simulator, startSimulator } from '../../sim/index.ts';
import { clientFor, collect, requestsSince } from './helpers/sim-client.ts';

describe('Class: AtlasClient (Digest, ops-manager) against the simulator', () => {
  let sim: Simulator;
  let orgId: string;

  beforeAll(async () => {
    sim = await startSimulator({ seed: { keysPerOrg: 1199 } });
    orgId = sim.workers[0]!.orgId;
  });
  afterAll(async () => {
    await sim.close();
  });

  it('pages 1,200 keys under /api/public/v1.0: 1 challenge + 3 requests', async () => {
    const { client } = clientFor(sim, 'digest', 'ops-manager');
    const from = sim.requests.length;
    const keys = await collect(client.listOrgKeys(orgId));
    await client.close();
    expect(keys).toHaveLength(1200);
    const sent = requestsSince(sim, from);
    expect(sent.map((entry) => entry.status)).toEqual([401, 200, 200, 200]);
    expect(sent.every((entry) => entry.url.startsWith(`/api/public/v1.0/orgs/${orgId}/apiKeys?`))).toBe(true);
  });

  it('unassigns (200, no body), deletes entries (CIDR, IPv6) and keys, and reports already-absent', async () => {
    const key = sim.state.apiKeys.find(
      (candidate) => candidate.orgId === orgId && candidate.roles.some((role) => role.groupId !== undefined),
    )!;
    const groupId = key.roles.find((role) => role.groupId !== undefined)!.groupId!;
    const created = new Date().toISOString();
    key.accessList.push({ cidrBlock: '203.0.113.0/28', created, count: 0 }, { cidrBlock: '2001:db8:abcd::/48', created, count: 0 });
    const { client } = clientFor(sim, 'digest', 'ops-manager');
    const from = sim.requests.length;
    expect(await client.removeKeyFromProject(groupId, key.id)).toBe('done');
    expect(await client.deleteAccessListEntry(orgId, key.id, '203.0.113.0/28')).toBe('done');
    expect(await client.deleteAccessListEntry(orgId, key.id, '2001:db8:abcd::/48')).toBe('done');
    expect(await client.deleteAccessListEntry(orgId, key.id, '2001:db8:abcd::/48')).toBe('already-absent');
    expect(await client.deleteOrgKey(orgId, key.id)).toBe('done');
    expect(await client.deleteOrgKey(orgId, key.id)).toBe('already-absent');
    await client.close();
    const sent = requestsSince(sim, from);
    expect(sent.map((entry) => entry.status)).toEqual([401, 200, 204, 204, 404, 204, 400]);
    expect(sent[2]?.url).toBe(`/api/public/v1.0/orgs/${orgId}/apiKeys/${key.id}/accessList/203.0.113.0%2F28`);
    expect(sent[3]?.url).toBe(`/api/public/v1.0/orgs/${orgId}/apiKeys/${key.id}/accessList/2001:db8:abcd:0:0:0:0:0%2F48`);
  });

  it('reads the org and its projects', async () => {
    const { client } = clientFor(sim, 'digest', 'ops-manager');
    expect((await client.getOrg(orgId)).id).toBe(orgId);
    expect(await collect(client.listOrgProjects(orgId))).toHaveLength(3);
    await client.close();
  });
});
