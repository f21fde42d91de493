import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../../lambda/cli/run-cli.ts';
import { startDynalite, type Dynalite } from '../helpers/dynalite.ts';
import { startLocalSecretsManager } from '../helpers/local-secrets-manager.ts';
import { type CheckFixture, FAST_RETRY, NGINX_404, NOW, startCheckFixture, startStaticServer, type StaticServer } from './fixture.ts';

function cli(env: Record<string, string | undefined>, extra: Record<string, unknown> = {}) {
  let stdout = '';
  let stderr = '';
  return {
    io: {
      env,
      stdout: { write: (text: string) => (stdout += text) },
      stderr: { write: (text: string) => (stderr += text) },
      client: { retry: FAST_RETRY },
      now: () => NOW,
      ...extra,
    },
    stdout: () => stdout,
    stderr: () => stderr,
  };
}

describe('CLI: check', () => {
  let fixture: CheckFixture | undefined;
  let server: StaticServer | undefined;
  let dynalite: Dynalite | undefined;
  let dir: string | undefined;
  afterEach(async () => {
    await fixture?.close();
    await server?.close();
    await dynalite?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
    fixture = server = dynalite = dir = undefined;
  });

  const keyEnv = (f: CheckFixture, privateKey = f.worker.privateKey) => ({
    MONGODB_ATLAS_PUBLIC_API_KEY: f.worker.publicKey,
    MONGODB_ATLAS_PRIVATE_API_KEY: privateKey,
  });

  it('exits 0 against a healthy simulator and prints the table', async () => {
    fixture = await startCheckFixture();
    const run = cli(keyEnv(fixture));

    const code = await runCli(['check', '--org', fixture.worker.orgId, '--base-url', fixture.sim.baseUrl], run.io);

    expect(code).toBe(0);
    expect(run.stdout()).toMatch(/^STATUS\s+ORG\s+CHECK\s+DETAIL$/m);
    expect(run.stdout()).toMatch(/^pass\s+[0-9a-f]{24}\s+role-delete-org-keys\s+API key \w+ is Organization Owner/m);
    expect(run.stdout()).toMatch(/passed, 0 failed, \d+ warnings?: ready$/m);
    expect(run.stdout()).not.toContain(fixture.worker.privateKey);
    expect(fixture.writes()).toEqual([]);
  });

  it('exits 1 for a wrong key, printing the failure with its fix and never the key', async () => {
    fixture = await startCheckFixture();
    const run = cli(keyEnv(fixture, 'wrong-private-key-0000'));

    const code = await runCli(['check', '--org', fixture.worker.orgId, '--base-url', fixture.sim.baseUrl], run.io);

    expect(code).toBe(1);
    expect(run.stdout()).toMatch(/^FAIL\s+[0-9a-f]{24}\s+credentials\s+wrong key or secret/m);
    expect(run.stdout()).toContain('Failures (fix each, then run check again):');
    expect(run.stdout()).toContain(`fix: Put the current private key of public key ${fixture.worker.publicKey} in the MONGODB_ATLAS_* environment variables`);
    expect(run.stdout()).toMatch(/NOT ready$/m);
    expect(run.stdout() + run.stderr()).not.toContain('wrong-private-key-0000');
  });

  it('exits 1 for a missing role and for an egress IP that is not listed (--json)', async () => {
    fixture = await startCheckFixture({}, { clientAddress: '198.51.100.23' });
    const run = cli(keyEnv(fixture));

    const code = await runCli(['check', '--org', fixture.worker.orgId, '--base-url', fixture.sim.baseUrl, '--json'], run.io);

    expect(code).toBe(1);
    const report = JSON.parse(run.stdout());
    expect(report.ok).toBe(false);
    expect(report.checks.filter((c: { status: string }) => c.status === 'fail')).toEqual([
      expect.objectContaining({ name: 'egress-access-list', fix: expect.stringContaining('Add 198.51.100.23 to the access list') }),
    ]);
  });

  it('exits 1 for a key without Organization Owner, with the fix', async () => {
    fixture = await startCheckFixture();
    fixture.ownKey.roles = [{ orgId: fixture.worker.orgId, roleName: 'ORG_READ_ONLY' }];
    const run = cli(keyEnv(fixture));

    const code = await runCli(['check', '--org', fixture.worker.orgId, '--base-url', fixture.sim.baseUrl], run.io);

    expect(code).toBe(1);
    expect(run.stdout()).toMatch(/^FAIL\s+[0-9a-f]{24}\s+role-delete-org-keys\s+missing role/m);
    expect(run.stdout()).toContain(`fix: Give API key ${fixture.worker.publicKey} the Organization Owner role in org ${fixture.worker.orgId}`);
  });

  it('exits 1 for an http base URL that is not loopback, sending nothing', async () => {
    fixture = await startCheckFixture();
    const run = cli(keyEnv(fixture));

    const code = await runCli(['check', '--org', fixture.worker.orgId, '--base-url', 'http://atlas.example.com'], run.io);

    expect(code).toBe(1);
    expect(run.stdout()).toMatch(/^FAIL\s+[0-9a-f]{24}\s+base-url\s+/m);
    expect(run.stdout()).toContain('fix: Use https://atlas.example.com');
    expect(fixture.sim.requests).toEqual([]);
  });

  it('exits 1 for a wrong base path', async () => {
    fixture = await startCheckFixture();
    server = await startStaticServer(404, NGINX_404);
    const run = cli(keyEnv(fixture));

    const code = await runCli(['check', '--org', fixture.worker.orgId, '--base-url', server.baseUrl], run.io);

    expect(code).toBe(1);
    expect(run.stdout()).toMatch(/^FAIL\s+[0-9a-f]{24}\s+api-version\s+wrong base path/m);
    expect(server.requests.map((r) => r.headers.authorization)).toEqual([undefined]);
  });

  it('checks every org of a policy file, with credentials from Secrets Manager and the state table', async () => {
    fixture = await startCheckFixture({ orgs: 2 });
    const [first, second] = fixture.sim.workers;
    const secrets = new Map([
      ['atlas/first', JSON.stringify({ publicKey: first!.publicKey, privateKey: first!.privateKey, baseUrl: fixture.sim.baseUrl })],
      ['atlas/second', JSON.stringify({ clientId: second!.clientId, clientSecret: second!.clientSecret, baseUrl: fixture.sim.baseUrl })],
    ]);
    const endpoint = await startLocalSecretsManager(secrets);
    dynalite = await startDynalite();
    dir = await mkdtemp(join(tmpdir(), 'check-'));
    const policyFile = join(dir, 'policy.json');
    await writeFile(policyFile, JSON.stringify({ orgs: [{ orgId: first!.orgId }, { orgId: second!.orgId, secretId: 'atlas/second' }], protectedEntries: ['127.0.0.1'] }));
    const secretsManager = new SecretsManagerClient({ endpoint: endpoint.url, region: 'us-east-1', credentials: { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'local' } });
    const run = cli({}, { secretsManager, dynamodb: dynalite.client });

    try {
      const code = await runCli(['check', '--policy', policyFile, '--secret-id', 'atlas/first', '--state-table', dynalite.tableName, '--json'], run.io);

      expect(code).toBe(0);
      const report = JSON.parse(run.stdout());
      expect(report.counts.fail).toBe(0);
      expect(report.checks.filter((c: { name: string }) => c.name === 'credentials').map((c: { detail: string }) => c.detail)).toEqual([
        expect.stringContaining(`API key ${first!.publicKey}`),
        expect.stringContaining(`service account ${second!.clientId}`),
      ]);
      expect(report.checks.at(-1)).toEqual({ name: 'state', status: 'pass', detail: `DynamoDB table "${dynalite.tableName}" is reachable` });
      expect(dynalite.requests).toContain('GetItem');
      expect(endpoint.calls.sort()).toEqual(['secretsmanager.GetSecretValue atlas/first', 'secretsmanager.GetSecretValue atlas/second']);
    } finally {
      secretsManager.destroy();
      await endpoint.close();
    }
  });

  it('exits 1 when the state table does not exist, naming what to check', async () => {
    fixture = await startCheckFixture();
    dynalite = await startDynalite();
    const run = cli(keyEnv(fixture), { dynamodb: dynalite.client });

    const code = await runCli(['check', '--org', fixture.worker.orgId, '--base-url', fixture.sim.baseUrl, '--state-table', 'no-such-table'], run.io);

    expect(code).toBe(1);
    expect(run.stdout()).toMatch(/^FAIL\s+-\s+state\s+DynamoDB table "no-such-table" is not usable/m);
    expect(run.stdout()).toContain('fix: Check that STATE_TABLE_NAME names the stack');
  });

  describe('bad usage exits 2 naming the flag, before any request', () => {
    it.each([
      [['check'], '--policy'],
      [['check', '--org', 'ABC'], '--org'],
      [['check', '--org', '0123456789abcdef01234567', '--egress-ip', '10.0.0.0/8'], '--egress-ip'],
      [['check', '--org', '0123456789abcdef01234567', '--flavor', 'mongo'], '--flavor'],
      [['check', '--org', '0123456789abcdef01234567', '--base-url', 'not a url'], '--base-url'],
      [['check', '--org', '0123456789abcdef01234567', '--org', '0123456789abcdef01234567'], '--org'],
      [['check', 'now'], 'arguments'],
      [['check', '--policy', '/nonexistent/policy.json'], '--policy'],
    ])('%j names %s', async (argv, flag) => {
      const run = cli({});

      expect(await runCli(argv, run.io)).toBe(2);
      expect(run.stderr()).toContain(`error: ${flag}`);
      expect(run.stdout()).toBe('');
    });

    it('prints its own help with exit 0', async () => {
      const run = cli({});

      expect(await runCli(['check', '--help'], run.io)).toBe(0);
      expect(run.stdout()).toContain('Usage: atlas-key-worker check');
    });
  });
});
