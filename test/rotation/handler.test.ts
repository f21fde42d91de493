import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRuntime } from '../../lambda/runtime/create-runtime.ts';
import { startSimulator } from '../../sim/index.ts';
import type { Simulator } from '../../sim/types.ts';
import { captureOutput } from '../helpers/capture-output.ts';
import { lambdaContext } from '../helpers/lambda-context.ts';
import { startVersionedSecretsManager, type VersionedSecretsManager } from '../helpers/local-secrets-manager-versions.ts';
import { buildRotationFixture, KEYS, ORG } from './helpers/fixture.ts';
import { TEST_CLIENT } from './helpers/rotation-harness.ts';

const STEPS = ['createSecret', 'setSecret', 'testSecret', 'finishSecret'] as const;

describe('Handler: Secrets Manager rotation events', () => {
  let sim: Simulator;
  let sm: VersionedSecretsManager;
  let output: ReturnType<typeof captureOutput> | undefined;
  let workerArn: string;
  let appArn: string;

  beforeEach(async () => {
    sim = await startSimulator({ fixture: buildRotationFixture() });
    sm = await startVersionedSecretsManager();
    workerArn = sm.create('atlas-key-worker/credentials', JSON.stringify({ publicKey: KEYS.worker.publicKey, privateKey: KEYS.worker.privateKey, baseUrl: sim.baseUrl }));
    appArn = sm.create('apps/billing', JSON.stringify({ publicKey: KEYS.app.publicKey, privateKey: KEYS.app.privateKey, baseUrl: sim.baseUrl }));
  });

  afterEach(async () => {
    output?.stop();
    output = undefined;
    await sm.close();
    await sim.close();
  });

  function runtime() {
    const client = sm.client();
    output = captureOutput();
    return createRuntime(
      {
        ATLAS_SECRET_ID: workerArn,
        KEY_POLICY: JSON.stringify({ orgs: [{ orgId: ORG, baseUrl: sim.baseUrl }] }),
        ROTATION_CONFIG: JSON.stringify({
          secrets: [
            { secretId: appArn, orgId: ORG, graceDays: 7 },
            { secretId: workerArn, orgId: ORG, graceDays: 3 },
          ],
        }),
        SECRET_MAX_AGE_SECONDS: '1',
        POWERTOOLS_METRICS_NAMESPACE: 'AtlasKeyWorker',
      },
      { secretsManager: client, client: TEST_CLIENT },
    );
  }

  it('runs the four steps of an app key rotation and of its own secret; every step is audited, no secret logged', async () => {
    // Prepare
    const handler = runtime();
    const appToken = sm.startRotation(appArn);
    const selfToken = sm.startRotation(workerArn);
    const answers: Array<Record<string, unknown>> = [];
    const push = (answer: unknown) => answers.push(answer as Record<string, unknown>);

    // Act
    for (const Step of STEPS) push(await handler.handle({ SecretId: appArn, ClientRequestToken: appToken, Step }, lambdaContext()));
    for (const Step of STEPS) push(await handler.handle({ SecretId: workerArn, ClientRequestToken: selfToken, Step }, lambdaContext()));
    // The worker keeps working with its rotated credentials (its cached ones are in their grace period).
    const sweep = await handler.handle({ action: 'sweep', orgId: ORG, dryRun: true }, lambdaContext());
    output!.stop();

    // Assess
    expect(answers.map((answer) => `${answer['step']}:${answer['outcome']}`)).toEqual([...STEPS, ...STEPS].map((step) => `${step}:done`));
    const day = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
    expect(sim.state.apiKeys.find((key) => key.id === KEYS.app.id)?.desc).toBe(`billing-service prod atlas-key-worker:retire-after=${day(7)}`);
    expect(sim.state.apiKeys.find((key) => key.id === KEYS.worker.id)?.desc).toBe(`atlas-key-worker atlas-key-worker:retire-after=${day(3)}`);
    expect(sweep).toHaveProperty('sweep');
    const records = output!.records();
    expect(records.filter((record) => record['message'] === 'rotation step' && record['audit'] === true)).toHaveLength(8);
    const metrics = records.filter((record) => '_aws' in record);
    expect(metrics.reduce((sum, record) => sum + Number(record['RotationsSucceeded'] ?? 0), 0)).toBe(2);
    const text = output!.text();
    const privateKeys = [KEYS.app.privateKey, KEYS.worker.privateKey, ...sim.state.apiKeys.map((key) => key.privateKey)];
    for (const privateKey of privateKeys) expect(text).not.toContain(privateKey);
  });

  it('refuses a rotation event for a secret not in ROTATION_CONFIG: nothing read or changed, RotationsFailed counted', async () => {
    // Prepare
    const handler = runtime();
    const otherArn = sm.create('apps/other', JSON.stringify({ publicKey: KEYS.bystander.publicKey, privateKey: KEYS.bystander.privateKey, baseUrl: sim.baseUrl }));
    const token = sm.startRotation(otherArn);
    const callsBefore = sm.calls.length;

    // Act
    const failure = await handler.handle({ SecretId: otherArn, ClientRequestToken: token, Step: 'createSecret' }, lambdaContext()).catch((error: unknown) => error);
    output!.stop();

    // Assess
    expect((failure as Error).message).toMatch(/is not configured for rotation by this worker .* refused, nothing changed/);
    expect(sm.calls.slice(callsBefore)).toEqual([]);
    expect(sim.requests).toEqual([]);
    const records = output!.records();
    expect(records.some((record) => record['outcome'] === 'refused' && record['level'] === 'ERROR')).toBe(true);
    expect(records.filter((record) => '_aws' in record).some((record) => record['RotationsFailed'] === 1)).toBe(true);
  });

  it('refuses to start with a ROTATION_CONFIG that does not validate, naming the field', () => {
    expect(() =>
      createRuntime({ KEY_POLICY: JSON.stringify({ orgs: [{ orgId: ORG }] }), ROTATION_CONFIG: JSON.stringify({ secrets: [{ secretId: 'apps/billing', orgId: ORG }] }) }),
    ).toThrow(/ROTATION_CONFIG: secrets\.0\.secretId must be a complete Secrets Manager secret ARN/);
  });
});
