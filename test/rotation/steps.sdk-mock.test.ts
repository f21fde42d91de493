import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  ResourceNotFoundException,
  SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAtlasClient } from '../../lambda/atlas/index.ts';
import type { AtlasClient } from '../../lambda/atlas/types.ts';
import type { AdminAccess } from '../../lambda/rotation/admin-access.ts';
import { RotationRefusedError } from '../../lambda/rotation/errors.ts';
import { runRotationStep } from '../../lambda/rotation/run-rotation-step.ts';
import type { RotationStep, RotationTarget } from '../../lambda/rotation/types.ts';
import { RunStats } from '../../lambda/worker/run-stats.ts';
import { startSimulator } from '../../sim/index.ts';
import type { Simulator } from '../../sim/types.ts';
import { buildRotationFixture, KEYS, ORG, T0 } from './helpers/fixture.ts';
import { TEST_CLIENT } from './helpers/rotation-harness.ts';

const ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:cfn/atlas/profile/default-AbCdEf';
const TOKEN = '0f5b1d3e-1111-4222-8333-444455556666';
const CURRENT_VERSION = 'a1b2c3d4-0000-4000-8000-000000000001';

describe('Function: runRotationStep (Secrets Manager at the SDK seam, Atlas over the simulator)', () => {
  const sm = mockClient(SecretsManagerClient);
  let sim: Simulator;
  let admin: AtlasClient;
  let currentValue: string;
  const sequence: string[] = [];
  const target: RotationTarget = { secretId: ARN, orgId: ORG, graceDays: 7, secretExpiresAfterHours: 2160 };
  const access: AdminAccess = { run: (_orgId, _location, operation) => operation(admin) };

  const describeAs = (stages: Record<string, string[]>, rotationEnabled = true) =>
    sm.on(DescribeSecretCommand).resolves({ ARN, Name: 'cfn/atlas/profile/default', RotationEnabled: rotationEnabled, VersionIdsToStages: stages });
  const run = (step: RotationStep, stats = new RunStats(), audits: Record<string, unknown>[] = []) =>
    runRotationStep({ SecretId: ARN, ClientRequestToken: TOKEN, Step: step }, target, {
      secretsManager: new SecretsManagerClient({ region: 'us-east-1' }),
      admin: access,
      client: TEST_CLIENT,
      now: () => new Date(T0),
      stats,
      onAudit: (record) => audits.push(record),
    });

  beforeEach(async () => {
    sm.reset();
    sequence.length = 0;
    sim = await startSimulator({
      fixture: buildRotationFixture(),
      now: () => new Date(T0),
      onRequest: (request) => {
        if (request.method !== 'GET') sequence.push(`${request.method} ${request.url.split('?')[0]}`);
      },
    });
    admin = createAtlasClient({ ...TEST_CLIENT, baseUrl: sim.baseUrl, flavor: 'atlas', credentials: { kind: 'digest', ...KEYS.worker } });
    // MongoDB's profile shape, with a field of its own.
    currentValue = JSON.stringify({ Profile: 'default', PublicKey: KEYS.app.publicKey, PrivateKey: KEYS.app.privateKey, BaseUrl: `${sim.baseUrl}/` });
    sm.on(GetSecretValueCommand, { SecretId: ARN, VersionStage: 'AWSCURRENT' }).resolves({
      ARN,
      VersionId: CURRENT_VERSION,
      SecretString: currentValue,
      VersionStages: ['AWSCURRENT'],
      CreatedDate: new Date(T0 - 86_400_000),
    });
  });

  afterEach(async () => {
    await admin.close();
    await sim.close();
  });

  it('refuses, without reading Atlas, a secret whose rotation is disabled or a token not staged AWSPENDING', async () => {
    // Prepare
    describeAs({ [CURRENT_VERSION]: ['AWSCURRENT'], [TOKEN]: ['AWSPENDING'] }, false);
    const stats = new RunStats();

    // Act
    const disabled = await run('createSecret', stats).catch((error: unknown) => error);
    describeAs({ [CURRENT_VERSION]: ['AWSCURRENT'], [TOKEN]: [] });
    const notPending = await run('createSecret', stats).catch((error: unknown) => error);

    // Assess
    expect(disabled).toBeInstanceOf(RotationRefusedError);
    expect((disabled as Error).message).toBe(`rotation is not enabled for secret ${ARN}`);
    expect((notPending as Error).message).toBe(`version ${TOKEN} of secret ${ARN} is not staged AWSPENDING`);
    expect(sim.requests).toEqual([]);
    expect(sm.commandCalls(PutSecretValueCommand)).toHaveLength(0);
    expect(stats.get('RotationsFailed')).toBe(2);
  });

  it('createSecret stores AWSPENDING with the token, in the profile shape, once; a retry stores nothing', async () => {
    // Prepare
    describeAs({ [CURRENT_VERSION]: ['AWSCURRENT'], [TOKEN]: ['AWSPENDING'] });
    sm.on(GetSecretValueCommand, { VersionId: TOKEN, VersionStage: 'AWSPENDING' }).rejects(
      new ResourceNotFoundException({ message: "Secrets Manager can't find the specified secret value", $metadata: {} }),
    );
    sm.on(PutSecretValueCommand).resolves({ ARN, VersionId: TOKEN });
    const audits: Record<string, unknown>[] = [];

    // Act
    const first = await run('createSecret', new RunStats(), audits);
    const stored = sm.commandCalls(PutSecretValueCommand)[0]!.args[0].input;
    sm.on(GetSecretValueCommand, { VersionId: TOKEN, VersionStage: 'AWSPENDING' }).resolves({
      ARN,
      VersionId: TOKEN,
      SecretString: stored.SecretString!,
      VersionStages: ['AWSPENDING'],
    });
    const retry = await run('createSecret', new RunStats(), audits);

    // Assess
    const successor = sim.state.apiKeys.find((key) => key.desc?.includes(`successor-of=${KEYS.app.id}:${TOKEN}`))!;
    expect(stored).toMatchObject({ SecretId: ARN, ClientRequestToken: TOKEN, VersionStages: ['AWSPENDING'] });
    expect(JSON.parse(stored.SecretString!)).toEqual({
      Profile: 'default',
      PublicKey: successor.publicKey,
      PrivateKey: successor.privateKey,
      BaseUrl: `${sim.baseUrl}/`,
    });
    expect([first.outcome, retry.outcome]).toEqual(['done', 'already-done']);
    expect(sm.commandCalls(PutSecretValueCommand)).toHaveLength(1);
    expect(sequence.filter((request) => request === `POST /api/atlas/v2/orgs/${ORG}/apiKeys`)).toHaveLength(1);
    // The audit records name both keys but hold neither private key.
    expect(audits.map((record) => record['outcome'])).toEqual(['done', 'already-done']);
    expect(audits[0]).toMatchObject({ predecessor: { publicKey: KEYS.app.publicKey }, successor: { publicKey: successor.publicKey } });
    expect(JSON.stringify(audits)).not.toContain(successor.privateKey);
    expect(JSON.stringify(audits)).not.toContain(KEYS.app.privateKey);
  });

  it('finishSecret moves AWSCURRENT first, takes AWSPENDING off, and only then tags the predecessor', async () => {
    // Prepare: the successor exists (an earlier createSecret)
    describeAs({ [CURRENT_VERSION]: ['AWSCURRENT'], [TOKEN]: ['AWSPENDING'] });
    const created = await admin.createOrgKey(ORG, { desc: 'billing-service prod', roles: ['ORG_MEMBER'] });
    sm.on(GetSecretValueCommand, { VersionId: TOKEN, VersionStage: 'AWSPENDING' }).resolves({
      ARN,
      VersionId: TOKEN,
      SecretString: JSON.stringify({ PublicKey: created.publicKey, PrivateKey: created.privateKey, BaseUrl: `${sim.baseUrl}/` }),
      VersionStages: ['AWSPENDING'],
    });
    sm.on(UpdateSecretVersionStageCommand).callsFake((input: { VersionStage: string }) => {
      sequence.push(`UpdateSecretVersionStage ${input.VersionStage}`);
      return { ARN };
    });
    sequence.length = 0;
    const stats = new RunStats();

    // Act
    const report = await run('finishSecret', stats);

    // Assess
    expect(sm.commandCalls(UpdateSecretVersionStageCommand).map((call) => call.args[0].input)).toEqual([
      { SecretId: ARN, VersionStage: 'AWSCURRENT', MoveToVersionId: TOKEN, RemoveFromVersionId: CURRENT_VERSION },
      { SecretId: ARN, VersionStage: 'AWSPENDING', RemoveFromVersionId: TOKEN },
    ]);
    expect(sequence).toEqual([
      'UpdateSecretVersionStage AWSCURRENT',
      'UpdateSecretVersionStage AWSPENDING',
      `PATCH /api/atlas/v2/orgs/${ORG}/apiKeys/${KEYS.app.id}`,
    ]);
    expect(report.changes).toContain(`tagged ${KEYS.app.id} retire-after=2026-11-08`);
    expect(stats.get('RotationsSucceeded')).toBe(1);
  });

  it('a failed step counts RotationsFailed and audits the failure without any secret', async () => {
    // Prepare: Secrets Manager refuses the write after Atlas created the key
    describeAs({ [CURRENT_VERSION]: ['AWSCURRENT'], [TOKEN]: ['AWSPENDING'] });
    sm.on(GetSecretValueCommand, { VersionId: TOKEN, VersionStage: 'AWSPENDING' }).rejects(
      new ResourceNotFoundException({ message: 'not found', $metadata: {} }),
    );
    sm.on(PutSecretValueCommand).rejects(Object.assign(new Error('User is not authorized to perform: secretsmanager:PutSecretValue'), { name: 'AccessDeniedException' }));
    const stats = new RunStats();
    const audits: Record<string, unknown>[] = [];

    // Act
    const failure = await run('createSecret', stats, audits).catch((error: unknown) => error);

    // Assess
    expect((failure as Error).name).toBe('AccessDeniedException');
    expect(stats.get('RotationsFailed')).toBe(1);
    expect(stats.get('RotationsSucceeded')).toBe(0);
    expect(audits).toEqual([
      expect.objectContaining({ audit: true, kind: 'rotation', step: 'createSecret', outcome: 'failed', error: expect.objectContaining({ name: 'AccessDeniedException' }) }),
    ]);
    const orphan = sim.state.apiKeys.find((key) => key.desc?.includes(`successor-of=${KEYS.app.id}:${TOKEN}`))!;
    expect(JSON.stringify(audits)).not.toContain(orphan.privateKey);
  });
});
