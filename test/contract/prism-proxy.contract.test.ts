import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAtlasClient } from '../../lambda/atlas/index.ts';
import type { AtlasClient, ClientEvent } from '../../lambda/atlas/types.ts';
import { type Simulator, startSimulator } from '../../sim/index.ts';

/** MongoDB's spec lives in the `shared/` folder beside the repository (as on CI), never copied into it. */
const SPEC = resolve(fileURLToPath(import.meta.url), '../../../../shared/atlas/atlas-admin-v2-apikeys.openapi.yaml');

/**
 * Where live Atlas (as recorded by MongoDB's Atlas CLI end-to-end tests, shared/atlas/README.md) differs from its
 * spec, the recording wins and the simulator follows it; the copy Prism checks against is loosened exactly there:
 * a never-used access-list entry has `count: 0` (the spec says minimum 1), and an error's `parameters` holds
 * strings or is `null` (the spec says an array of objects). Each patch must apply, or the test stops: a changed
 * spec must be looked at, not silently checked against something else.
 */
function patchToRecordedTraffic(spec: string): string {
  const patches: [string, string][] = [
    [
      '          format: int32\n          minimum: 1\n          readOnly: true\n          type: integer\n        created:',
      '          format: int32\n          minimum: 0\n          readOnly: true\n          type: integer\n        created:',
    ],
    [
      '          items:\n            readOnly: true\n            type: object\n          readOnly: true\n          type: array\n        reason:',
      '          nullable: true\n          readOnly: true\n          type: array\n        reason:',
    ],
  ];
  let patched = spec;
  for (const [from, to] of patches) {
    if (patched.split(from).length !== 2) throw new Error(`spec patch no longer applies exactly once:\n${from}`);
    patched = patched.replace(from, to);
  }
  return patched;
}

/** A free loopback port (bound and released at once). */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0));
    });
  });
}

/**
 * Every request the client sends goes through Stoplight Prism in proxy mode with `--errors`: Prism checks the
 * request and the simulator's response against MongoDB's spec and answers with an error (422 for a bad request)
 * instead of forwarding a violation. Bearer auth only: Prism's own Digest check is naive.
 */
describe('Contract: the Atlas client against the official spec (Prism proxy)', () => {
  let sim: Simulator;
  let prism: ChildProcess;
  let prismLog = '';
  let workDir: string;
  let client: AtlasClient;
  const events: ClientEvent[] = [];
  let orgId: string;

  beforeAll(async () => {
    sim = await startSimulator({ seed: { keysPerOrg: 24, projectsPerOrg: 3 } });
    orgId = sim.workers[0]!.orgId;
    // The spec's `ipAddress` pattern uses `\:`, an invalid escape under JS's `u` flag; Prism then skips that
    // check silently (a non-address like `not-an-ip` is forwarded). A patched copy with the equivalent `:`
    // restores the check. the shared spec stays untouched.
    workDir = await mkdtemp(join(tmpdir(), 'atlas-contract-'));
    const patched = join(workDir, 'atlas-admin-v2-apikeys.patched.openapi.yaml');
    await writeFile(patched, patchToRecordedTraffic((await readFile(SPEC, 'utf8')).replaceAll('\\:', ':')));

    const port = await freePort();
    prism = spawn(
      join(process.cwd(), 'node_modules/.bin/prism'),
      ['proxy', '--errors', patched, sim.baseUrl, '--host', '127.0.0.1', '--port', String(port)],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`Prism did not start:\n${prismLog}`)), 50_000);
      const onData = (chunk: Buffer) => {
        prismLog += chunk.toString();
        if (prismLog.includes('Prism is listening')) {
          clearTimeout(timer);
          resolve();
        }
      };
      prism.stdout?.on('data', onData);
      prism.stderr?.on('data', onData);
      prism.once('exit', (code) => reject(new Error(`Prism exited (${code}):\n${prismLog}`)));
    });

    const worker = sim.workers[0]!;
    client = createAtlasClient({
      baseUrl: `http://127.0.0.1:${port}`,
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
    prism?.kill('SIGTERM');
    await sim?.close();
    if (workDir !== undefined) await rm(workDir, { recursive: true, force: true });
  });

  const assertNoViolations = () => {
    expect(prismLog).not.toMatch(/violation/i);
    expect(prismLog).not.toContain('✖');
    expect(prismLog).not.toContain('UNPROCESSABLE_ENTITY');
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
    expect(prismLog).not.toContain('UNPROCESSABLE_ENTITY');
    expect(events.filter((event) => event.type === 'response' && event.status === 422)).toEqual([]);
    // And no response violation either (Prism would have answered 500 with a VIOLATIONS problem document).
    expect(prismLog).not.toContain('VIOLATIONS');
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
