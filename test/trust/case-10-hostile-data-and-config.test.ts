import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../../lambda/cli/run-cli.ts';
import { createRuntime } from '../../lambda/runtime/create-runtime.ts';
import { audits, message, metric, startWorld, type World, reasons } from './trust-world.ts';

/**
 * Issue 11, case 10: one key with `"desc": null` made every listing of its org fail (the whole org to the DLQ);
 * a `protectedKeys.publicKeys` entry with a stray space protected nothing; an `expiryPattern` without a capture
 * group silently never matched. Now `desc: null` is a key without a description, and both policy mistakes are
 * rejected at start-up (the handler) and by the CLI, naming the field.
 */
describe('Trust case 10 › hostile data and careless configuration', { timeout: 120_000 }, () => {
  let world: World | undefined;
  let dir: string | undefined;
  afterEach(async () => {
    await world?.close();
    world = undefined;
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it('a key with "desc": null is listed and swept like any other; the org’s sweep completes (handler and CLI)', async () => {
    // Prepare: two stale keys, one of them without a description (null), one in use with null too
    world = await startWorld();
    const w = world;
    const nullStale = w.addKey({ desc: null, entries: [{ address: '198.51.100.5', createdDaysAgo: 400, lastUsedDaysAgo: 300 }] });
    const nullFresh = w.addKey({ desc: null, entries: [{ address: '198.51.100.6', createdDaysAgo: 400, lastUsedDaysAgo: 1 }] });
    const plain = w.addKey({ entries: [{ address: '198.51.100.7', createdDaysAgo: 400, lastUsedDaysAgo: 300 }] });
    dir = await mkdtemp(join(tmpdir(), 'trust-10-'));
    const policyFile = join(dir, 'policy.json');
    await writeFile(policyFile, JSON.stringify({ orgs: [{ orgId: w.orgId }] }));
    let stdout = '';
    const cliIo = {
      env: { MONGODB_ATLAS_PUBLIC_API_KEY: w.worker.publicKey, MONGODB_ATLAS_PRIVATE_API_KEY: w.worker.privateKey },
      stdout: { write: (text: string) => (stdout += text) },
      stderr: { write: () => true },
    };

    // Act: the CLI plans (dry run), then the handler sweeps
    const code = await runCli(['sweep', '--org', w.orgId, '--policy', policyFile, '--base-url', w.sim.baseUrl, '--json', '--quiet'], cliIo);
    const delivery = await w.container({ dryRun: false }).deliver([message({ action: 'sweep', orgId: w.orgId })]);

    // Assess
    expect(code).toBe(0);
    const report = JSON.parse(stdout) as { sweep: { complete: boolean; keysScanned: number }; results: Array<Record<string, unknown>> };
    expect(report.sweep).toMatchObject({ complete: true, keysScanned: 4 });
    expect(report.results.map((r) => r['apiUserId']).sort()).toEqual([nullStale.id, plain.id].sort());
    expect(delivery.failed, reasons(delivery)).toEqual([]);
    expect(metric(delivery.records, 'SweepsCompleted')).toBe(1);
    expect(audits(delivery.records).map((r) => [r['apiUserId'], r['outcome']]).sort()).toEqual(
      [
        [nullStale.id, 'done'],
        [plain.id, 'done'],
      ].sort(),
    );
    expect(w.key(nullFresh.id)).toBeDefined();
  });

  it.each([
    ['a public key with a stray space', { protectedKeys: { publicKeys: ['zmmrboas '] } }, /protectedKeys\.publicKeys\.0\b.*whitespace/],
    ['a public key with a tab inside', { protectedKeys: { publicKeys: ['zmmr\tboas'] } }, /protectedKeys\.publicKeys\.0\b.*whitespace/],
    ['an expiryPattern without a capture group', { expiryPattern: 'expires:\\d{4}-\\d{2}-\\d{2}' }, /expiryPattern\b.*exactly 1 capture group/],
    ['an expiryPattern with two capture groups', { expiryPattern: '(expires):(\\d{4}-\\d{2}-\\d{2})' }, /expiryPattern\b.*exactly 1 capture group/],
  ])('%s is rejected at start-up and by the CLI, naming the field', async (_, extra, named) => {
    // Prepare
    const orgId = 'ab'.repeat(12);
    const policy = JSON.stringify({ orgs: [{ orgId }], ...extra });
    dir = await mkdtemp(join(tmpdir(), 'trust-10-'));
    const policyFile = join(dir, 'policy.json');
    await writeFile(policyFile, policy);
    let stderr = '';
    const cliIo = { env: {}, stdout: { write: () => true }, stderr: { write: (text: string) => (stderr += text) } };

    // Act
    const startUp = () => createRuntime({ KEY_POLICY: policy });
    const code = await runCli(['sweep', '--org', orgId, '--policy', policyFile, '--base-url', 'http://127.0.0.1:9'], cliIo);

    // Assess: the handler refuses to start; the CLI exits 2 before any request
    expect(startUp).toThrow(/KEY_POLICY/);
    expect(startUp).toThrow(named);
    expect(code).toBe(2);
    expect(stderr).toMatch(named);
    expect(stderr).toContain('--policy');
  });
});
