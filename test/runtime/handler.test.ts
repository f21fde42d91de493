import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRuntime } from '../../lambda/runtime/create-runtime.ts';
import revocationEvent from '../fixtures/revocation-event.json' with { type: 'json' };
import scheduledEvent from '../fixtures/scheduled-event.json' with { type: 'json' };
import sqsSample from '../fixtures/sqs-event.json' with { type: 'json' };
import { captureOutput } from '../helpers/capture-output.ts';
import { lambdaContext } from '../helpers/lambda-context.ts';
import { startWorkerFixture, type WorkerFixture } from '../helpers/worker-fixture.ts';

const secretsMock = mockClient(SecretsManagerClient);
const sqsMock = mockClient(SQSClient);
const QUEUE_URL = 'https://sqs.us-east-1.amazonaws.com/123456789012/atlas-key-worker';

function sqsEvent(...bodies: string[]): SQSEvent {
  const [sample] = sqsSample.Records;
  return { Records: bodies.map((body, i) => ({ ...sample!, messageId: `message-${i}`, body })) } as SQSEvent;
}

describe('Handler', () => {
  let fixture: WorkerFixture;
  let output: ReturnType<typeof captureOutput>;

  beforeEach(() => {
    secretsMock.reset();
    sqsMock.reset();
    sqsMock.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [] });
  });
  afterEach(async () => {
    output?.stop();
    await fixture?.close();
    fixture = undefined as unknown as WorkerFixture;
  });

  async function runtimeFor(
    options: { policy?: Record<string, unknown>; queue?: boolean; secret?: Record<string, string>; env?: Record<string, string> } = {},
  ) {
    const worker = fixture.sim.workers[0]!;
    const secret = options.secret ?? { publicKey: worker.publicKey, privateKey: worker.privateKey, baseUrl: fixture.sim.baseUrl };
    secretsMock.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify(secret) });
    output = captureOutput();
    return createRuntime(
      {
        ATLAS_SECRET_ID: 'atlas-key-worker/credentials',
        KEY_POLICY: JSON.stringify({ orgs: fixture.sim.workers.map((w) => ({ orgId: w.orgId })), ...options.policy }),
        ...(options.queue ? { WORK_QUEUE_URL: QUEUE_URL } : {}),
        ...options.env,
      },
      { secretsManager: new SecretsManagerClient({}), sqs: new SQSClient({}), client: { retry: { maxAttempts: 2, baseDelayMs: 5, maxDelayMs: 20 } } },
    );
  }

  describe('SQS batch', () => {
    it('reports a record that is not JSON, or fails the schema, as a batch item failure naming the field', async () => {
      // Prepare
      fixture = await startWorkerFixture({ keysPerOrg: 10, now: new Date() });
      const runtime = await runtimeFor();
      const key = fixture.sim.state.apiKeys.find((k) => k.publicKey !== fixture.selfPublicKey)!;
      const good = JSON.stringify({ action: 'deleteOrgKey', orgId: fixture.orgId, apiUserId: key.id });
      const event = sqsEvent(good, '{not json', JSON.stringify({ action: 'deleteOrgKey', orgId: fixture.orgId, apiUserId: '../../etc' }));

      // Act
      const response = (await runtime.handle(event, lambdaContext())) as SQSBatchResponse;

      // Assess
      expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'message-1' }, { itemIdentifier: 'message-2' }]);
      expect(fixture.sim.state.apiKeys.some((k) => k.id === key.id)).toBe(false);
      const failures = output.records().filter((r) => r['message'] === 'queue message failed; it will be retried, then moved to the DLQ');
      expect(failures.map((r) => r['messageId'])).toEqual(['message-1', 'message-2']);
      expect(String(failures[1]?.['reason'])).toContain('message.apiUserId');
      expect(fixture.writes()).toHaveLength(1);
    });

    it('reports a record whose action failed at Atlas as a batch item failure, and the others as done', async () => {
      fixture = await startWorkerFixture({ keysPerOrg: 10, now: new Date() });
      const runtime = await runtimeFor();
      const [a, b] = fixture.sim.state.apiKeys.filter((k) => k.publicKey !== fixture.selfPublicKey);
      fixture.sim.addFault({ method: 'DELETE', path: a!.id, fault: { kind: 'status', status: 500 } });

      const response = (await runtime.handle(
        sqsEvent(
          JSON.stringify({ action: 'deleteOrgKey', orgId: fixture.orgId, apiUserId: a!.id }),
          JSON.stringify({ action: 'deleteOrgKey', orgId: fixture.orgId, apiUserId: b!.id }),
        ),
        lambdaContext(),
      )) as SQSBatchResponse;

      expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'message-0' }]);
      expect(fixture.sim.state.apiKeys.some((k) => k.id === b!.id)).toBe(false);
      const audit = output.records().filter((r) => r['audit'] === true);
      expect(audit.map((r) => r['outcome'])).toEqual(['failed', 'done']);
    });

    it('turns the EventBridge revocation event delivered to the queue into a revokeKey', async () => {
      fixture = await startWorkerFixture({ keysPerOrg: 10, now: new Date() });
      const runtime = await runtimeFor();
      const key = fixture.sim.state.apiKeys.find((k) => k.publicKey !== fixture.selfPublicKey)!;
      const event = { ...revocationEvent, detail: { orgId: fixture.orgId, publicKey: key.publicKey, reason: 'leaked in a build log' } };

      const response = (await runtime.handle(sqsEvent(JSON.stringify(event)), lambdaContext())) as SQSBatchResponse;

      expect(response.batchItemFailures).toEqual([]);
      expect(fixture.sim.state.apiKeys.some((k) => k.id === key.id)).toBe(false);
    });

    it('enqueues a continuation when a sweep runs out of time', async () => {
      fixture = await startWorkerFixture({ keysPerOrg: 2000, now: new Date() }, { sim: { latencyMs: 20 } });
      const runtime = await runtimeFor({ queue: true, env: { SWEEP_MARGIN_SECONDS: '1' }, policy: { maxDeletionsPerRun: 100_000 } });

      const response = (await runtime.handle(sqsEvent(JSON.stringify({ action: 'sweep', orgId: fixture.orgId })), lambdaContext(1500))) as SQSBatchResponse;

      expect(response.batchItemFailures).toEqual([]);
      const sent = sqsMock.commandCalls(SendMessageBatchCommand);
      expect(sent).toHaveLength(1);
      const body = JSON.parse(sent[0]!.args[0].input.Entries![0]!.MessageBody!);
      expect(body).toMatchObject({ action: 'sweep', orgId: fixture.orgId, cursor: { offset: expect.any(Number), writes: expect.any(Number), runId: expect.any(String) } });
      expect(body.cursor.offset).toBeGreaterThan(0);
      expect(body.cursor.offset).toBeLessThan(2001);
    });
  });

  describe('Scheduled event', () => {
    it('fans out one sweep message per org in the policy when a work queue is configured', async () => {
      fixture = await startWorkerFixture({ orgs: 3, keysPerOrg: 5, now: new Date() });
      const runtime = await runtimeFor({ queue: true });

      await runtime.handle(scheduledEvent, lambdaContext());

      const entries = sqsMock.commandCalls(SendMessageBatchCommand).flatMap((c) => c.args[0].input.Entries ?? []);
      expect(entries.map((e) => JSON.parse(e.MessageBody!))).toEqual(fixture.sim.workers.map((w) => ({ action: 'sweep', orgId: w.orgId })));
      expect(fixture.sim.requests).toEqual([]);
    });

    it('sweeps inline, as a dry run by default, without a queue', async () => {
      fixture = await startWorkerFixture({ keysPerOrg: 30, staleFraction: 0.4, now: new Date() });
      const runtime = await runtimeFor();

      const result = (await runtime.handle(scheduledEvent, lambdaContext())) as { sweeps: Array<{ results: unknown[] }> };

      expect(result.sweeps).toHaveLength(1);
      expect(result.sweeps[0]!.results.length).toBeGreaterThan(0);
      expect(fixture.writes()).toEqual([]);
      const emf = output.records().find((r) => r['_aws'] !== undefined && 'KeysScanned' in r);
      expect(emf).toMatchObject({ KeysScanned: 31, service: 'atlas-key-worker' });
    });
    it('keeps a bounded number of results in a large sweep answer, yet logs and counts every action', async () => {
      fixture = await startWorkerFixture({ keysPerOrg: 300, staleFraction: 0.5, now: new Date() });
      const runtime = await runtimeFor({ policy: { maxDeletionsPerRun: 1000 } });

      const result = (await runtime.handle(scheduledEvent, lambdaContext())) as {
        sweeps: Array<{ results: unknown[]; sweep: { actionsTotal: number } }>;
      };

      const [sweep] = result.sweeps;
      expect(sweep!.sweep.actionsTotal).toBeGreaterThan(200);
      expect(sweep!.results).toHaveLength(200);
      const audited = output.records().filter((r) => r['message'] === 'action');
      expect(audited).toHaveLength(sweep!.sweep.actionsTotal);
      const emf = output.records().find((r) => r['_aws'] !== undefined && 'ActionsPlanned' in r);
      expect(emf?.['ActionsPlanned']).toBe(sweep!.sweep.actionsTotal);
    });
  });

  describe('Direct invocation and credentials', () => {
    it('runs one command, caches the secret across invocations, and re-reads it once after a 401', async () => {
      fixture = await startWorkerFixture({ keysPerOrg: 10, now: new Date() });
      const worker = fixture.sim.workers[0]!;
      const runtime = await runtimeFor({ secret: { publicKey: worker.publicKey, privateKey: 'rotated-away', baseUrl: fixture.sim.baseUrl } });
      secretsMock
        .on(GetSecretValueCommand)
        .resolvesOnce({ SecretString: JSON.stringify({ publicKey: worker.publicKey, privateKey: 'rotated-away', baseUrl: fixture.sim.baseUrl }) })
        .resolves({ SecretString: JSON.stringify({ publicKey: worker.publicKey, privateKey: worker.privateKey, baseUrl: fixture.sim.baseUrl }) });
      const [a, b] = fixture.sim.state.apiKeys.filter((k) => k.publicKey !== worker.publicKey);

      const first = await runtime.handle({ action: 'deleteOrgKey', orgId: worker.orgId, apiUserId: a!.id }, lambdaContext());
      const second = await runtime.handle({ action: 'deleteOrgKey', orgId: worker.orgId, apiUserId: b!.id }, lambdaContext());

      expect(first).toMatchObject({ results: [{ outcome: 'done' }] });
      expect(second).toMatchObject({ results: [{ outcome: 'done' }] });
      expect(secretsMock.commandCalls(GetSecretValueCommand)).toHaveLength(2);
      expect(output.text()).not.toContain(worker.privateKey);
      expect(output.text()).not.toContain('rotated-away');
    });

    it('answers an invalid direct command with an error naming the field, before any request', async () => {
      fixture = await startWorkerFixture({ keysPerOrg: 3, now: new Date() });
      const runtime = await runtimeFor();

      await expect(runtime.handle({ action: 'revokeKey', orgId: fixture.orgId }, lambdaContext())).rejects.toThrow(/event\.(apiUserId|publicKey)/);
      expect(fixture.sim.requests).toEqual([]);
    });

    it('refuses to start with a bad policy, naming the field', () => {
      expect(() => createRuntime({ KEY_POLICY: JSON.stringify({ orgs: [{ orgId: 'nope' }] }) })).toThrow(/KEY_POLICY.*orgs\.0\.orgId/);
      expect(() => createRuntime({})).toThrow(/KEY_POLICY/);
    });
  });
});
