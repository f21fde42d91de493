import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAtlasClient } from '../../lambda/atlas/index.ts';
import type { AtlasClient, ClientEvent } from '../../lambda/atlas/types.ts';
import { startSimulator } from '../../sim/index.ts';
import type { Simulator } from '../../sim/types.ts';
import { ACCOUNTS, buildRotationFixture, KEYS, ORG, PROJECT_A, PROJECT_B, T0 } from './helpers/fixture.ts';

/** MongoDB's spec, beside the repository (never copied into it). */
const SPEC = resolve(fileURLToPath(import.meta.url), '../../../../shared/atlas/atlas-admin-v2-apikeys.openapi.yaml');

/**
 * The simulator follows live Atlas where recorded traffic differs from the spec (shared/atlas/README.md): a
 * never-used access-list entry has `count: 0` (spec: minimum 1), and an error's `parameters` holds strings or is
 * `null` (spec: an array of objects). Prism's copy is loosened exactly there (the main contract test does the
 * same); each patch must apply once, or the test stops.
 */
function loosenToRecordedTraffic(spec: string): string {
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
  let loosened = spec;
  for (const [from, to] of patches) {
    if (loosened.split(from).length !== 2) throw new Error(`spec patch no longer applies exactly once:\n${from}`);
    loosened = loosened.replace(from, to);
  }
  return loosened;
}

async function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => done(typeof address === 'object' && address !== null ? address.port : 0));
    });
  });
}

/**
 * The client's write methods through Stoplight Prism in proxy mode with `--errors`, loaded with MongoDB's spec:
 * every request (method, path, media type, body) and every simulator answer (status, media type, body) of the
 * rotation's writes is checked against the spec. Bearer auth (a service account), as Prism's Digest check is naive.
 */
describe('Contract: the rotation write endpoints against the official spec (Prism proxy)', () => {
  let sim: Simulator;
  let prism: ChildProcess;
  let prismLog = '';
  let workDir: string;
  let client: AtlasClient;
  const events: ClientEvent[] = [];

  beforeAll(async () => {
    sim = await startSimulator({ fixture: buildRotationFixture(), now: () => new Date(T0) });
    // The spec's `ipAddress` path pattern uses `\:`, invalid under JS's `u` flag (Prism would skip the check);
    // a patched copy with the equivalent `:` keeps it. The shared spec stays untouched.
    workDir = await mkdtemp(join(tmpdir(), 'rotation-contract-'));
    const patched = join(workDir, 'spec.patched.openapi.yaml');
    await writeFile(patched, loosenToRecordedTraffic((await readFile(SPEC, 'utf8')).replaceAll('\\:', ':')));
    const port = await freePort();
    prism = spawn(
      join(process.cwd(), 'node_modules/.bin/prism'),
      ['proxy', '--errors', patched, sim.baseUrl, '--host', '127.0.0.1', '--port', String(port)],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    await new Promise<void>((done, fail) => {
      const timer = setTimeout(() => fail(new Error(`Prism did not start:\n${prismLog}`)), 50_000);
      const onData = (chunk: Buffer) => {
        prismLog += chunk.toString();
        if (prismLog.includes('Prism is listening')) {
          clearTimeout(timer);
          done();
        }
      };
      prism.stdout?.on('data', onData);
      prism.stderr?.on('data', onData);
      prism.once('exit', (code) => fail(new Error(`Prism exited (${code}):\n${prismLog}`)));
    });
    client = createAtlasClient({
      baseUrl: `http://127.0.0.1:${port}`,
      flavor: 'atlas',
      credentials: { kind: 'oauth', clientId: ACCOUNTS.worker.clientId, clientSecret: ACCOUNTS.worker.secret },
      // The token endpoint is not in the spec: tokens come from the simulator directly.
      tokenUrl: `${sim.baseUrl}/api/oauth/token`,
      retry: { maxAttempts: 1 },
      pacing: false,
      onEvent: (event) => events.push(event),
    });
  }, 60_000);

  afterAll(async () => {
    await client?.close();
    prism?.kill('SIGTERM');
    await sim?.close();
    if (workDir !== undefined) await rm(workDir, { recursive: true, force: true });
  });

  /**
   * PRISM QUIRK (5.14, proxy mode): a forwarded 204 with a JSON media type goes out with `Content-Length: 2` and no
   * body, which undici refuses. Prism writes it only after it found the answer valid (a violation is a 500 problem
   * document with a body), so that error here means "valid"; the simulator's state is checked as well.
   */
  const viaPrism = async <T>(call: () => Promise<T>): Promise<T | 'valid 204'> => {
    try {
      return await call();
    } catch (error) {
      if (((error as Error).cause as { code?: string } | undefined)?.code === 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH') return 'valid 204';
      throw error;
    }
  };

  const assertNoViolations = () => {
    expect(prismLog).not.toMatch(/violation/i);
    expect(prismLog).not.toContain('UNPROCESSABLE_ENTITY');
    expect(prismLog).not.toContain('VIOLATIONS');
    expect(events.filter((event) => event.type === 'response' && (event.status === 422 || event.status >= 500))).toEqual([]);
  };

  it('creates a key, updates it, adds access-list entries (IPv4, CIDR, IPv6) and assigns it to two projects', async () => {
    // Act
    const created = await client.createOrgKey(ORG, { desc: 'contract successor', roles: ['ORG_MEMBER'] });
    const updated = await client.updateOrgKey(ORG, created.id, { desc: 'contract successor (renamed)', roles: ['ORG_MEMBER', 'ORG_READ_ONLY'] });
    const entries = await client.addAccessListEntries(ORG, created.id, ['127.0.0.1', '192.0.2.0/24', '2001:db8::7', '2001:db8:5::/48']);
    const assigned = [
      await viaPrism(() => client.assignKeyToProject(PROJECT_A, created.id, ['GROUP_OWNER'])),
      await viaPrism(() => client.assignKeyToProject(PROJECT_B, created.id, ['GROUP_READ_ONLY', 'GROUP_DATA_ACCESS_READ_WRITE'])),
    ];

    // Assess
    expect(updated.desc).toBe('contract successor (renamed)');
    expect(entries).toHaveLength(4);
    expect(assigned.every((outcome) => outcome === undefined || outcome === 'valid 204')).toBe(true);
    expect(sim.state.apiKeys.find((key) => key.id === created.id)?.roles.filter((role) => role.groupId !== undefined)).toHaveLength(3);
    assertNoViolations();
  });

  it('reads a service account, creates a secret, meets the two-secret limit, deletes a secret', async () => {
    // Act
    const account = await client.getServiceAccount(ORG, ACCOUNTS.app.clientId);
    const created = await client.createServiceAccountSecret(ORG, ACCOUNTS.app.clientId, 48);
    const limited = await client.createServiceAccountSecret(ORG, ACCOUNTS.app.clientId, 48).catch((error: unknown) => error);
    const deleted = await viaPrism(() => client.deleteServiceAccountSecret(ORG, ACCOUNTS.app.clientId, created.id));

    // Assess
    expect(account.secrets).toHaveLength(1);
    expect(limited).toMatchObject({ status: 400 });
    expect(['done', 'valid 204']).toContain(deleted);
    expect(sim.state.serviceAccounts.find((candidate) => candidate.clientId === ACCOUNTS.app.clientId)?.secrets).toHaveLength(1);
    assertNoViolations();
  });

  it('the check is live: Prism rejects a create body outside the spec (raw HTTP)', async () => {
    // Act
    const response = await fetch(`${client.baseUrl}/api/atlas/v2/orgs/${ORG}/apiKeys`, {
      method: 'POST',
      headers: {
        accept: 'application/vnd.atlas.2023-01-01+json',
        'content-type': 'application/vnd.atlas.2023-01-01+json',
        authorization: 'Bearer x',
      },
      body: JSON.stringify({ desc: '', roles: ['NOT_A_ROLE'], publicKey: KEYS.app.publicKey }),
    });
    await response.arrayBuffer();

    // Assess
    expect(response.status).toBe(422);
  });
});
