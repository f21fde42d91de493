import { afterEach, describe, expect, it } from 'vitest';
import { createRuntime } from '../../lambda/runtime/create-runtime.ts';
import { captureOutput } from '../helpers/capture-output.ts';
import { lambdaContext } from '../helpers/lambda-context.ts';
import { startLocalSecretsManager } from '../helpers/local-secrets-manager.ts';
import { startWorkerFixture, type WorkerFixture } from '../helpers/worker-fixture.ts';

const AWS_ENV = ['AWS_ENDPOINT_URL_SECRETS_MANAGER', 'AWS_REGION', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'] as const;

describe('Credentials from a Secrets Manager endpoint (AWS_ENDPOINT_URL_SECRETS_MANAGER)', () => {
  let fixture: WorkerFixture;
  const saved = Object.fromEntries(AWS_ENV.map((name) => [name, process.env[name]]));
  afterEach(async () => {
    for (const name of AWS_ENV) {
      if (saved[name] === undefined) delete process.env[name];
      else process.env[name] = saved[name];
    }
    await fixture?.close();
  });

  it('reads a service-account secret through the real SDK client and sweeps with OAuth', async () => {
    // Prepare
    fixture = await startWorkerFixture({ keysPerOrg: 20, now: new Date() });
    const worker = fixture.sim.workers[0]!;
    const secretValue = JSON.stringify({ clientId: worker.clientId, clientSecret: worker.clientSecret, baseUrl: fixture.sim.baseUrl });
    const endpoint = await startLocalSecretsManager(new Map([['prod/atlas-key-worker', secretValue]]));
    Object.assign(process.env, {
      AWS_ENDPOINT_URL_SECRETS_MANAGER: endpoint.url,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'AKIDLOCALTEST',
      AWS_SECRET_ACCESS_KEY: 'local-test-secret',
    });
    const output = captureOutput();
    try {
      const runtime = createRuntime({ ...process.env, ATLAS_SECRET_ID: 'prod/atlas-key-worker', KEY_POLICY: JSON.stringify({ orgs: [{ orgId: worker.orgId }] }) });

      // Act
      const first = await runtime.handle({ action: 'sweep', orgId: worker.orgId }, lambdaContext(120_000));
      await runtime.handle({ action: 'sweep', orgId: worker.orgId }, lambdaContext(120_000));
      await runtime.session.close();

      // Assess
      expect(first).toMatchObject({ sweep: { keysScanned: 21, complete: true } });
      expect(endpoint.calls).toEqual(['secretsmanager.GetSecretValue prod/atlas-key-worker']);
      expect(fixture.sim.requests.some((r) => r.auth === 'bearer')).toBe(true);
      expect(output.text()).not.toContain(worker.clientSecret);
    } finally {
      output.stop();
      await endpoint.close();
    }
  });
});
