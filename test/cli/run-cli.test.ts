import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../../lambda/cli/run-cli.ts';
import { createDynamoState } from '../../lambda/state/index.ts';
import { type Dynalite, startDynalite } from '../helpers/dynalite.ts';
import { startWorkerFixture, type WorkerFixture } from '../helpers/worker-fixture.ts';

function io(env: Record<string, string | undefined>, extra: { dynamodb?: DynamoDBClient } = {}) {
  let stdout = '';
  let stderr = '';
  return {
    io: {
      env,
      stdout: { write: (text: string) => (stdout += text) },
      stderr: { write: (text: string) => (stderr += text) },
      client: { retry: { maxAttempts: 2, baseDelayMs: 5, maxDelayMs: 20 } },
      ...extra,
    },
    stdout: () => stdout,
    stderr: () => stderr,
  };
}

describe('CLI', () => {
  let fixture: WorkerFixture;
  let dynalite: Dynalite | undefined;
  let dir: string | undefined;
  afterEach(async () => {
    await fixture?.close();
    fixture = undefined as unknown as WorkerFixture;
    await dynalite?.close();
    dynalite = undefined;
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
    dir = undefined;
  });

  /** Writes a policy file for `--policy`. */
  const policyFile = async (policy: Record<string, unknown>): Promise<string> => {
    dir ??= await mkdtemp(join(tmpdir(), 'cli-policy-'));
    const path = join(dir, `policy-${Date.now()}-${Math.random().toString(36).slice(2)}.json`);
    await writeFile(path, JSON.stringify(policy));
    return path;
  };

  const digestEnv = () => ({
    MONGODB_ATLAS_PUBLIC_API_KEY: fixture.sim.workers[0]!.publicKey,
    MONGODB_ATLAS_PRIVATE_API_KEY: fixture.sim.workers[0]!.privateKey,
  });

  describe('bad usage exits 2 with a message naming the flag, before any request', () => {
    it.each([
      [['sweep'], '--org'],
      [['sweep', '--org', 'ABC'], '--org'],
      [['delete-org-key', '--org', '0123456789abcdef01234567', '--key', '../x'], '--key'],
      [['prune-access-entry', '--org', '0123456789abcdef01234567', '--key', '0123456789abcdef01234567', '--entry', '10.0.0.0/33'], '--entry'],
      [['revoke-key', '--org', '0123456789abcdef01234567'], '--'],
      [['frobnicate'], 'command'],
      [['sweep', '--org', '0123456789abcdef01234567', '--bogus'], 'arguments'],
      [['delete-org-key', '--org', '0123456789abcdef01234567', '--key', '0123456789abcdef01234567', '--execute'], '--execute'],
    ])('%j names %s', async (argv, flag) => {
      const run = io({});
      expect(await runCli(argv, run.io)).toBe(2);
      expect(run.stderr()).toContain(`error: ${flag}`);
    });

    it('fails with exit 2 when no credentials are configured, naming the variables', async () => {
      const run = io({});
      expect(await runCli(['sweep', '--org', '0123456789abcdef01234567', '--base-url', 'http://127.0.0.1:9'], run.io)).toBe(2);
      expect(run.stderr()).toContain('MONGODB_ATLAS_PUBLIC_API_KEY');
    });
  });

  it('sweep is a dry run without --execute: a plan table and a summary, and no write', async () => {
    fixture = await startWorkerFixture({ keysPerOrg: 40, staleFraction: 0.3, now: new Date() });
    const run = io(digestEnv());

    const code = await runCli(['sweep', '--org', fixture.orgId, '--base-url', fixture.sim.baseUrl, '--quiet'], run.io);

    expect(code).toBe(0);
    expect(run.stdout()).toMatch(/OUTCOME\s+ACTION\s+KEY\s+TARGET\s+REASON/);
    expect(run.stdout()).toContain('dry run: nothing was changed');
    expect(run.stdout()).toMatch(/scanned\s+41 keys/);
    expect(fixture.writes()).toEqual([]);
  });

  it('sweep --execute --json prints one JSON document with outcomes and metrics', async () => {
    fixture = await startWorkerFixture({ keysPerOrg: 40, staleFraction: 0.3, now: new Date() });
    const run = io(digestEnv());

    const code = await runCli(['sweep', '--org', fixture.orgId, '--base-url', fixture.sim.baseUrl, '--execute', '--json'], run.io);

    expect(code).toBe(0);
    const report = JSON.parse(run.stdout());
    expect(report.sweep).toMatchObject({ dryRun: false, keysScanned: 41, complete: true });
    expect(report.results.length).toBe(fixture.writes().length);
    expect(report.outcomes.failed).toBe(0);
    expect(report.metrics.ApiRequests).toBeGreaterThan(41);
  });

  it('exits 1 when an action failed, and says which', async () => {
    fixture = await startWorkerFixture({ keysPerOrg: 5, now: new Date() });
    const key = fixture.sim.state.apiKeys.find((k) => k.publicKey !== fixture.selfPublicKey)!;
    fixture.sim.addFault({ method: 'DELETE', path: key.id, fault: { kind: 'status', status: 403, errorCode: 'NOT_ORG_OWNER' } });
    const run = io(digestEnv());

    const code = await runCli(['delete-org-key', '--org', fixture.orgId, '--key', key.id, '--base-url', fixture.sim.baseUrl], run.io);

    expect(code).toBe(1);
    expect(run.stdout()).toMatch(/failed\s+deleteOrgKey/);
    expect(run.stdout()).toContain('NOT_ORG_OWNER');
  });

  it('revoke-key --public-key deletes the key against Ops Manager with --flavor ops-manager', async () => {
    fixture = await startWorkerFixture({ keysPerOrg: 5, now: new Date() });
    const key = fixture.sim.state.apiKeys.find((k) => k.publicKey !== fixture.selfPublicKey)!;
    const run = io(digestEnv());

    const code = await runCli(
      ['revoke-key', '--org', fixture.orgId, '--public-key', key.publicKey, '--base-url', fixture.sim.baseUrl, '--flavor', 'ops-manager'],
      run.io,
    );

    expect(code).toBe(0);
    expect(fixture.writes()).toEqual([`DELETE /api/public/v1.0/orgs/${fixture.orgId}/apiKeys/${key.id}`]);
  });

  it('revoke-project-key acts within the reach of the operator\'s credentials (no policy file: no policy scope)', async () => {
    fixture = await startWorkerFixture({ keysPerOrg: 10, now: new Date() });
    const key = fixture.sim.state.apiKeys.find((k) => k.publicKey !== fixture.selfPublicKey && k.roles.some((r) => r.groupId))!;
    const groupId = key.roles.find((r) => r.groupId)!.groupId!;
    const run = io(digestEnv());

    const code = await runCli(['revoke-project-key', '--group', groupId, '--key', key.id, '--base-url', fixture.sim.baseUrl, '--quiet'], run.io);

    expect({ code, stderr: run.stderr() }).toEqual({ code: 0, stderr: '' });
    expect(fixture.writes()).toEqual([`DELETE /api/atlas/v2/groups/${groupId}/apiKeys/${key.id}`]);
  });

  it('--state-table shares the write budget with every run of the day: writes never exceed maxWritesPerOrgPerDay', async () => {
    // Prepare: an org with many stale keys, a budget of 3 writes a day, the deployed table (dynalite)
    fixture = await startWorkerFixture({ keysPerOrg: 40, staleFraction: 0.5, now: new Date() });
    dynalite = await startDynalite();
    const policy = await policyFile({ orgs: [{ orgId: fixture.orgId }], maxWritesPerOrgPerDay: 3 });
    const argv = ['sweep', '--org', fixture.orgId, '--execute', '--policy', policy, '--state-table', dynalite.tableName, '--base-url', fixture.sim.baseUrl];
    const first = io(digestEnv(), { dynamodb: dynalite.client });
    const second = io(digestEnv(), { dynamodb: dynalite.client });

    // Act: two operator runs the same day
    const codes = [await runCli([...argv, '--json'], first.io), await runCli([...argv, '--quiet'], second.io)];

    // Assess: three writes in all, recorded in the table; each run says the budget stopped it
    expect(codes).toEqual([0, 0]);
    expect(fixture.writes()).toHaveLength(3);
    expect(await createDynamoState({ tableName: dynalite.tableName, client: dynalite.client }).budget.usage(fixture.orgId, new Date())).toBe(3);
    const report = JSON.parse(first.stdout());
    expect(report.sweep.budgetExhausted).toMatchObject({ limit: 3, used: 3 });
    expect(report.sweep.budgetExhausted.skipped).toBeGreaterThan(0);
    expect(report.metrics.SafetyCapTrips).toBe(1);
    expect(report.metrics.BudgetRefused).toBe(report.sweep.budgetExhausted.skipped);
    expect(report.results.filter((r: { detail?: string }) => r.detail?.startsWith('write budget exhausted'))).toHaveLength(report.sweep.budgetExhausted.skipped);
    expect(second.stdout()).toMatch(/WRITE BUDGET EXHAUSTED: 3 of 3 writes used for this org today \(maxWritesPerOrgPerDay\); \d+ planned action\(s\) not sent/);
  });

  it('--state-table rejects a name DynamoDB would not accept, before any request', async () => {
    const run = io({});

    const code = await runCli(['sweep', '--org', '0123456789abcdef01234567', '--state-table', 'no/such table'], run.io);

    expect(code).toBe(2);
    expect(run.stderr()).toMatch(/^error: --state-table: must be a DynamoDB table name/);
  });
});
