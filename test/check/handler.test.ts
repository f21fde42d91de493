import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterEach, describe, expect, it } from 'vitest';
import type { CheckReport } from '../../lambda/check/index.ts';
import { createRuntime } from '../../lambda/runtime/create-runtime.ts';
import { captureOutput } from '../helpers/capture-output.ts';
import { startDynalite, type Dynalite } from '../helpers/dynalite.ts';
import { lambdaContext } from '../helpers/lambda-context.ts';
import { startLocalSecretsManager } from '../helpers/local-secrets-manager.ts';
import { type CheckFixture, FAST_RETRY, startCheckFixture } from './fixture.ts';

describe('Handler: direct invocation {"action":"check"}', () => {
  let fixture: CheckFixture | undefined;
  let dynalite: Dynalite | undefined;
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    await fixture?.close();
    await dynalite?.close();
    fixture = dynalite = undefined;
  });

  /** A runtime as deployed: the secret from a Secrets Manager endpoint, the policy from KEY_POLICY. */
  async function runtimeWith(secret: Record<string, string>, env: Record<string, string> = {}) {
    const endpoint = await startLocalSecretsManager(new Map([['atlas-key-worker/credentials', JSON.stringify(secret)]]));
    const secretsManager = new SecretsManagerClient({ endpoint: endpoint.url, region: 'us-east-1', credentials: { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'local' } });
    const output = captureOutput();
    cleanups.push(() => endpoint.close(), () => secretsManager.destroy(), () => output.stop());
    const runtime = createRuntime(
      {
        ATLAS_SECRET_ID: 'atlas-key-worker/credentials',
        KEY_POLICY: JSON.stringify({ orgs: [{ orgId: fixture!.worker.orgId }], protectedEntries: ['127.0.0.1'] }),
        ...env,
      },
      { secretsManager, client: { retry: FAST_RETRY }, ...(dynalite === undefined ? {} : { dynamodb: dynalite.client }) },
    );
    cleanups.push(() => runtime.session.close());
    return { runtime, output };
  }

  it('answers with the report: everything passes against a healthy simulator, the state table included', async () => {
    fixture = await startCheckFixture();
    dynalite = await startDynalite();
    const { worker, sim } = fixture;
    const { runtime, output } = await runtimeWith(
      { publicKey: worker.publicKey, privateKey: worker.privateKey, baseUrl: sim.baseUrl },
      { STATE_TABLE_NAME: dynalite.tableName },
    );

    const report = (await runtime.handle({ action: 'check' }, lambdaContext())) as CheckReport;

    expect(report.ok).toBe(true);
    expect(report.checks.map((c) => c.status)).toEqual(report.checks.map(() => 'pass'));
    expect(report.checks.at(-1)?.detail).toBe(`DynamoDB table "${dynalite.tableName}" is reachable`);
    const logged = output.records().find((r) => r['message'] === 'check finished');
    expect(logged?.['level']).toBe('INFO');
    expect(output.text()).not.toContain(worker.privateKey);
    expect(fixture.writes()).toEqual([]);
  });

  it('fails a wrong key with the fix, and warns that a deployed worker without a state table has in-memory state', async () => {
    fixture = await startCheckFixture();
    const { worker, sim } = fixture;
    const { runtime, output } = await runtimeWith({ publicKey: worker.publicKey, privateKey: 'stale-private-key', baseUrl: sim.baseUrl });

    const report = (await runtime.handle({ action: 'check' }, lambdaContext())) as CheckReport;

    expect(report.ok).toBe(false);
    expect(report.checks.find((c) => c.name === 'credentials')).toMatchObject({
      status: 'fail',
      fix: expect.stringContaining('in secret atlas-key-worker/credentials'),
    });
    expect(report.checks.at(-1)).toMatchObject({ name: 'state', status: 'warn', fix: expect.stringContaining('STATE_TABLE_NAME') });
    expect(output.records().find((r) => r['message'] === 'check finished')?.['level']).toBe('ERROR');
    expect(output.text()).not.toContain('stale-private-key');
  });

  it('checks the egress IP the invocation names', async () => {
    fixture = await startCheckFixture();
    const { worker, sim } = fixture;
    const { runtime } = await runtimeWith({ publicKey: worker.publicKey, privateKey: worker.privateKey, baseUrl: sim.baseUrl });

    const report = (await runtime.handle({ action: 'check', egressIp: '192.0.2.44' }, lambdaContext())) as CheckReport;

    expect(report.checks.filter((c) => c.status === 'fail')).toEqual([
      expect.objectContaining({ name: 'egress-access-list', detail: expect.stringContaining('egress IP 192.0.2.44 is not on') }),
    ]);
  });

  it('rejects a check event with an unknown field, naming it', async () => {
    fixture = await startCheckFixture();
    const { worker, sim } = fixture;
    const { runtime } = await runtimeWith({ publicKey: worker.publicKey, privateKey: worker.privateKey, baseUrl: sim.baseUrl });

    await expect(runtime.handle({ action: 'check', orgs: 'all' }, lambdaContext())).rejects.toThrow(/^event: .*orgs/);
    expect(sim.requests).toEqual([]);
  });
});
