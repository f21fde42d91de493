import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../../lambda/cli/run-cli.ts';
import { startSimulator } from '../../sim/index.ts';
import type { Simulator } from '../../sim/types.ts';
import { startVersionedSecretsManager, type VersionedSecretsManager } from '../helpers/local-secrets-manager-versions.ts';
import { buildRotationFixture, KEYS, ORG, PROJECT_A, PROJECT_B, T0 } from './helpers/fixture.ts';
import { TEST_CLIENT } from './helpers/rotation-harness.ts';

describe('CLI: rotate', () => {
  let sim: Simulator;
  let sm: VersionedSecretsManager;
  let appArn: string;
  let stdout: string;
  let stderr: string;

  const io = (env: NodeJS.ProcessEnv, withClient = true) => ({
    env,
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    ...(withClient ? { secretsManager: sm.client() } : {}),
    client: TEST_CLIENT,
    now: () => new Date(T0),
  });
  const adminEnv = () => ({
    MONGODB_ATLAS_PUBLIC_API_KEY: KEYS.worker.publicKey,
    MONGODB_ATLAS_PRIVATE_API_KEY: KEYS.worker.privateKey,
    MONGODB_ATLAS_BASE_URL: sim.baseUrl,
  });

  beforeEach(async () => {
    stdout = '';
    stderr = '';
    sim = await startSimulator({ fixture: buildRotationFixture(), now: () => new Date(T0) });
    sm = await startVersionedSecretsManager({ now: () => new Date(T0) });
    // Rotation is not enabled on the secret: the operator drives the steps, not Secrets Manager.
    appArn = sm.create('apps/billing', JSON.stringify({ publicKey: KEYS.app.publicKey, privateKey: KEYS.app.privateKey, baseUrl: sim.baseUrl }), false);
  });

  afterEach(async () => {
    await sm.close();
    await sim.close();
  });

  it('--dry-run prints the key it would create with its roles, projects and access list, and changes nothing', async () => {
    // Act
    const status = await runCli(['rotate', '--secret-id', 'apps/billing', '--org', ORG, '--dry-run'], io(adminEnv()));

    // Assess
    expect(stderr).toBe('');
    expect(status).toBe(0);
    expect(stdout).toContain(`current key   ${KEYS.app.id} (${KEYS.app.publicKey}) "billing-service prod"`);
    expect(stdout).toContain('would create  a key "billing-service prod atlas-key-worker:successor-of=cccccccccccccccccccccc02:<token>"');
    expect(stdout).toContain(
      `with org roles ORG_MEMBER, ORG_READ_ONLY; projects ${PROJECT_A} (GROUP_OWNER), ${PROJECT_B} (GROUP_DATA_ACCESS_READ_WRITE, GROUP_READ_ONLY); access list 127.0.0.1, 192.0.2.0/24, 2001:db8::7`,
    );
    expect(stdout).toContain(`tag ${KEYS.app.publicKey} retire-after=2026-11-08`);
    expect(sim.requests.filter((request) => request.method !== 'GET')).toEqual([]);
    expect(sm.calls.filter((call) => !call.startsWith('GetSecretValue'))).toEqual([]);
  });

  it('runs the four steps against Secrets Manager found through AWS_ENDPOINT_URL_SECRETS_MANAGER', async () => {
    // Prepare: the SDK's standard settings point it at the local endpoint
    const saved = { ...process.env };
    Object.assign(process.env, {
      AWS_ENDPOINT_URL_SECRETS_MANAGER: sm.url,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'AKIDLOCAL',
      AWS_SECRET_ACCESS_KEY: 'local-secret',
    });
    const before = sm.value(appArn);

    // Act
    let status: number;
    try {
      status = await runCli(['rotate', '--secret-id', appArn, '--org', ORG, '--grace-days', '3'], io(adminEnv(), false));
    } finally {
      process.env = saved;
    }

    // Assess
    expect(stderr).toBe('');
    expect(status).toBe(0);
    expect(stdout).toMatch(/^createSecret {2}done/m);
    expect(stdout).toMatch(/^finishSecret {2}done/m);
    const successor = sim.state.apiKeys.find((key) => key.desc?.includes(`successor-of=${KEYS.app.id}:`))!;
    expect(JSON.parse(sm.value(appArn)!).publicKey).toBe(successor.publicKey);
    expect(sm.value(appArn, 'AWSPREVIOUS')).toBe(before);
    expect(sim.state.apiKeys.find((key) => key.id === KEYS.app.id)?.desc).toBe('billing-service prod atlas-key-worker:retire-after=2026-11-04');
    expect(stdout).not.toContain(successor.privateKey);
  });

  it("without Atlas variables, the secret's own credential does the work (the worker rotating its own secret)", async () => {
    // Prepare
    const workerArn = sm.create(
      'atlas-key-worker/credentials',
      JSON.stringify({ publicKey: KEYS.worker.publicKey, privateKey: KEYS.worker.privateKey, baseUrl: sim.baseUrl }),
      false,
    );

    // Act
    const status = await runCli(['rotate', '--secret-id', workerArn, '--org', ORG, '--json'], io({}));

    // Assess
    expect(stderr).toBe('');
    expect(status).toBe(0);
    const report = JSON.parse(stdout) as { steps: Array<{ step: string; outcome: string }>; metrics: Record<string, number> };
    expect(report.steps.map((step) => `${step.step}:${step.outcome}`)).toEqual(['createSecret:done', 'setSecret:done', 'testSecret:done', 'finishSecret:done']);
    expect(report.metrics['RotationsSucceeded']).toBe(1);
    expect(sim.state.apiKeys.find((key) => key.id === KEYS.worker.id)?.desc).toBe('atlas-key-worker atlas-key-worker:retire-after=2026-11-08');
  });

  it.each([
    [['rotate'], /--secret-id: is required/],
    [['rotate', '--secret-id', 'apps/billing'], /--org: is required \(the secret is not in ROTATION_CONFIG\)/],
    [['rotate', '--secret-id', 'apps/billing', '--org', '../x'], /--org: must be 24 lowercase hexadecimal digits, given "..\/x"/],
    [['rotate', '--secret-id', 'apps/billing', '--org', ORG, '--grace-days', '0'], /--grace-days: must be a whole number between 1 and 365, given "0"/],
    [['rotate', '--secret-id', 'apps/billing', '--org', ORG, '--execute'], /Unknown option "--execute"/],
  ])('bad usage %j exits 2 naming the flag', async (argv, pattern) => {
    const status = await runCli(argv, io(adminEnv()));
    expect(status).toBe(2);
    expect(stderr).toMatch(pattern);
    expect(sim.requests).toEqual([]);
  });
});
