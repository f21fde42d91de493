import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAtlasClient } from '../../lambda/atlas/index.ts';
import type { AtlasClient, ClientEvent } from '../../lambda/atlas/types.ts';
import { type Simulator, startSimulator } from '../../sim/index.ts';
import { type PrismProxy, startPrism } from '../helpers/prism.ts';

/**
 * Every request the client sends goes through Stoplight Prism in proxy mode with `--errors`: Prism checks the
 * request and the simulator's response against MongoDB's spec and answers with an error (422 for a bad request)
 * instead of forwarding a violation. Bearer auth only: Prism's own Digest check is naive.
 */
describe('Contract: the Atlas client against the official spec (Prism proxy)', () => {
  let sim: Simulator;
  let prism: PrismProxy;
  let client: AtlasClient;
  const events: ClientEvent[] = [];
  let orgId: string;

  beforeAll(async () => {
    sim = await startSimulator({ seed: { keysPerOrg: 24, projectsPerOrg: 3 } });
    orgId = sim.workers[0]!.orgId;
    prism = await startPrism(sim.baseUrl);

    const worker = sim.workers[0]!;
    client = createAtlasClient({
      baseUrl: prism.url,
      flavor: 'atlas',
      credentials: { kind: 'oauth', clientId: worker.clientId, clientSecret: worker.clientSecret },
      // /api/oauth/token is not in the spec, so the token request goes straight to the simulator.
      tokenUrl: `${sim.baseUrl}/api/oauth/token`,
      retry: { maxAttempts: 1 },
      onEvent: (event) => events.push(event),
    });
  }, 60_000);

  afterAll(async () => {
    await client?.close();
    await prism?.close();
    await sim?.close();
  });

  const assertNoViolations = () => {
    expect(prism.log()).not.toMatch(/violation/i);
    expect(prism.log()).not.toContain('✖');
    expect(prism.log()).not.toContain('UNPROCESSABLE_ENTITY');
    expect(events.filter((event) => event.type === 'response' && event.status === 422)).toEqual([]);
  };

  it('lists org keys across several pages', async () => {
    const pages = [];
    for await (const page of client.listOrgKeys(orgId, { itemsPerPage: 10 })) pages.push(page);
    expect(pages.map((page) => page.results.length)).toEqual([10, 10, 5]);
    assertNoViolations();
  });

  it('lists projects, project keys, and an access list; reads the org', async () => {
    const projects = [];
    for await (const page of client.listOrgProjects(orgId)) projects.push(...page.results);
    expect(projects).toHaveLength(3);
    for await (const page of client.listProjectKeys(projects[0]!.id)) expect(Array.isArray(page.results)).toBe(true);
    for await (const page of client.listAccessList(orgId, sim.workers[0]!.apiKeyId)) expect(page.results.length).toBeGreaterThan(0);
    expect((await client.getOrg(orgId)).id).toBe(orgId);
    assertNoViolations();
  });

  it('reads one key, one project, a page of keys, and an access list with a never-used entry (count 0)', async () => {
    const key = sim.state.apiKeys.find((candidate) => candidate.orgId === orgId && candidate.id !== sim.workers[0]!.apiKeyId)!;
    key.accessList.push({ cidrBlock: '198.51.100.77', ipAddress: '198.51.100.77', created: '2025-01-01T00:00:00Z', count: 0 });
    const project = sim.state.projects.find((candidate) => candidate.orgId === orgId)!;

    expect(await client.getOrgKey(orgId, key.id)).toMatchObject({ id: key.id, publicKey: key.publicKey });
    expect(await client.getProject(project.id)).toMatchObject({ id: project.id, orgId });
    expect((await client.getOrgKeysPage(orgId, 2, { itemsPerPage: 10 })).results).toHaveLength(10);
    const entries = [];
    for await (const page of client.listAccessList(orgId, key.id)) entries.push(...page.results);
    expect(entries).toContainEqual(expect.objectContaining({ cidrBlock: '198.51.100.77/32', ipAddress: '198.51.100.77', count: 0 }));
    assertNoViolations();
  });

  it('deletes entries (IPv4, CIDR, IPv6, IPv6 CIDR), unassigns and deletes a key, and repeats (already-absent)', async () => {
    const key = sim.state.apiKeys.find(
      (candidate) => candidate.orgId === orgId && candidate.roles.some((role) => role.groupId !== undefined),
    )!;
    const groupId = key.roles.find((role) => role.groupId !== undefined)!.groupId!;
    const created = new Date().toISOString();
    key.accessList.push(
      { cidrBlock: '192.0.2.55', ipAddress: '192.0.2.55', created, count: 0 },
      { cidrBlock: '192.0.2.0/24', created, count: 0 },
      { cidrBlock: '2001:db8::55', ipAddress: '2001:db8::55', created, count: 0 },
      { cidrBlock: '2001:db8:5::/48', created, count: 0 },
    );
    // PRISM QUIRK (5.14, proxy mode): a forwarded 204 with a JSON media type goes out with `Content-Length: 2`
    // and no body (it serialises an empty JSON string; Node drops the body of a 204). undici rightly refuses
    // that (UND_ERR_RES_CONTENT_LENGTH_MISMATCH). Prism only writes this after it found the response valid (a
    // violation would be a 500 problem document with a real body), so here that error on a DELETE means
    // "valid and done"; the simulator's state is checked below. Request violations (422) still fail the test.
    const viaPrism = async (call: () => Promise<string>) => {
      try {
        return await call();
      } catch (error) {
        const code = ((error as Error).cause as { code?: string } | undefined)?.code;
        if (code === 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH') return 'done';
        throw error;
      }
    };
    const outcomes = [
      await viaPrism(() => client.deleteAccessListEntry(orgId, key.id, '192.0.2.55')),
      await viaPrism(() => client.deleteAccessListEntry(orgId, key.id, '192.0.2.0/24')),
      await viaPrism(() => client.deleteAccessListEntry(orgId, key.id, '2001:db8::55')),
      await viaPrism(() => client.deleteAccessListEntry(orgId, key.id, '2001:db8:5::/48')),
      await viaPrism(() => client.deleteAccessListEntry(orgId, key.id, '192.0.2.0/24')),
      await viaPrism(() => client.removeKeyFromProject(groupId, key.id)),
      await viaPrism(() => client.removeKeyFromProject(groupId, key.id)),
      await viaPrism(() => client.deleteOrgKey(orgId, key.id)),
      await viaPrism(() => client.deleteOrgKey(orgId, key.id)),
    ];
    expect(outcomes).toEqual([
      'done',
      'done',
      'done',
      'done',
      'already-absent',
      'done',
      'already-absent',
      'done',
      'already-absent',
    ]);
    expect(sim.state.apiKeys.some((candidate) => candidate.id === key.id)).toBe(false);
    // No request violation, ever: Prism answers those with 422 UNPROCESSABLE_ENTITY before forwarding.
    expect(prism.log()).not.toContain('UNPROCESSABLE_ENTITY');
    expect(events.filter((event) => event.type === 'response' && event.status === 422)).toEqual([]);
    // And no response violation either (Prism would have answered 500 with a VIOLATIONS problem document).
    expect(prism.log()).not.toContain('VIOLATIONS');
  });

  it('the check is live: Prism rejects a request outside the spec (sanity, raw HTTP)', async () => {
    const address = new URL(client.baseUrl);
    const response = await fetch(`${address.origin}/api/atlas/v2/orgs/${orgId}/apiKeys/${sim.workers[0]!.apiKeyId}/accessList/not-an-ip`, {
      method: 'DELETE',
      headers: { accept: 'application/vnd.atlas.2023-01-01+json', authorization: 'Bearer x' },
    });
    await response.arrayBuffer();
    expect(response.status).toBe(422);
  });
});
