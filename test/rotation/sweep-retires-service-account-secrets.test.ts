import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { createRuntime } from '../../lambda/runtime/create-runtime.ts';
import { captureOutput } from '../helpers/capture-output.ts';
import { startWorkerFixture, type WorkerFixture } from '../helpers/worker-fixture.ts';

const secretsMock = mockClient(SecretsManagerClient);
const WORKER_SECRET = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:atlas-key-worker/credentials-AbCdEf';
const APP_SECRET = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:app/atlas-sa-GhIjKl';
const DAY_MS = 86_400_000;

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

describe('Handler: a complete sweep retires rotated-out service-account secrets', () => {
  let fixture: WorkerFixture;
  afterEach(async () => {
    secretsMock.reset();
    await fixture?.close();
  });

  it('deletes the secret rotated out more than graceDays ago, never the newest, and counts it in the budget', async () => {
    // Prepare: an app's service account whose secret was rotated 10 days ago (grace 7), and one rotated 2 days ago.
    fixture = await startWorkerFixture({ keysPerOrg: 5, staleFraction: 0 });
    const worker = fixture.sim.workers[0]!;
    const now = Date.now();
    const app = {
      clientId: 'mdb_sa_id_aaaaaaaaaaaaaaaaaaaaaa99',
      clientSecret: 'mdb_sa_sk_current',
      orgId: worker.orgId,
      roles: ['ORG_MEMBER'],
      secrets: [
        { id: 'aaaaaaaaaaaaaaaaaaaaaa01', secret: 'mdb_sa_sk_old', createdAt: iso(now - 40 * DAY_MS), expiresAt: iso(now + 50 * DAY_MS) },
        { id: 'aaaaaaaaaaaaaaaaaaaaaa02', secret: 'mdb_sa_sk_current', createdAt: iso(now - 10 * DAY_MS), expiresAt: iso(now + 80 * DAY_MS) },
      ],
    };
    fixture.sim.state.serviceAccounts.push(app);
    const secrets: Record<string, unknown> = {
      [WORKER_SECRET]: { clientId: worker.clientId, clientSecret: worker.clientSecret, baseUrl: fixture.sim.baseUrl },
      [APP_SECRET]: { clientId: app.clientId, clientSecret: 'mdb_sa_sk_current' },
    };
    secretsMock.on(GetSecretValueCommand).callsFake((input: { SecretId: string }) => ({ SecretString: JSON.stringify(secrets[input.SecretId]) }));
    const output = captureOutput();
    try {
      const runtime = createRuntime(
        {
          ATLAS_SECRET_ID: WORKER_SECRET,
          KEY_POLICY: JSON.stringify({ orgs: [{ orgId: worker.orgId }], dryRun: false, maxWritesPerOrgPerDay: 100 }),
          ROTATION_CONFIG: JSON.stringify({ secrets: [{ secretId: APP_SECRET, orgId: worker.orgId, graceDays: 7 }] }),
          ATLAS_RATE_LIMIT_TIME_SCALE: '100',
        },
        { secretsManager: new SecretsManagerClient({ region: 'us-east-1' }), client: { retry: { maxAttempts: 2, baseDelayMs: 5, maxDelayMs: 20 } } },
      );

      // Act
      const report = (await runtime.handle({ action: 'sweep', orgId: worker.orgId })) as { sweep?: { complete: boolean } };
      const budgetUsed = await runtime.state.budget.usage(worker.orgId, new Date());
      await runtime.session.close();

      // Assess
      expect(report.sweep?.complete).toBe(true);
      expect(app.secrets.map((s) => s.id)).toEqual(['aaaaaaaaaaaaaaaaaaaaaa02']);
      const deletes = fixture.sim.requests.filter((r) => r.method === 'DELETE' && r.url.includes('/secrets/'));
      expect(deletes.map((r) => r.url)).toEqual([expect.stringContaining('aaaaaaaaaaaaaaaaaaaaaa01')]);
      expect(budgetUsed).toBeGreaterThanOrEqual(1);
      const audits = output.records().filter((r) => r['kind'] === 'deleteServiceAccountSecret');
      expect(audits).toEqual([expect.objectContaining({ outcome: 'done', secretId: 'aaaaaaaaaaaaaaaaaaaaaa01' })]);
      expect(output.text()).not.toContain('mdb_sa_sk_old');
      expect(output.text()).not.toContain(worker.clientSecret);
    } finally {
      output.stop();
    }
  });
});
