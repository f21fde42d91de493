import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRuntime, type RuntimeDependencies } from '../../lambda/runtime/create-runtime.ts';
import { createDynamoState, IN_MEMORY_STATE_WARNING } from '../../lambda/state/index.ts';
import revocationEvent from '../fixtures/revocation-event.json' with { type: 'json' };
import scheduledEvent from '../fixtures/scheduled-event.json' with { type: 'json' };
import sqsSample from '../fixtures/sqs-event.json' with { type: 'json' };
import { urgentLaneEvent, WORK_QUEUE_URL, workLaneEvent } from '../fixtures/sqs-lanes.ts';
import { captureOutput } from '../helpers/capture-output.ts';
import { type Dynalite, startDynalite } from '../helpers/dynalite.ts';
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
  let dynalite: Dynalite | undefined;

  beforeEach(() => {
    secretsMock.reset();
    sqsMock.reset();
    sqsMock.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [] });
  });
  afterEach(async () => {
    output?.stop();
    // One capture per test, shared by its runtimes (they may be several containers)
    output = undefined as unknown as ReturnType<typeof captureOutput>;
    await fixture?.close();
    fixture = undefined as unknown as WorkerFixture;
    await dynalite?.close();
    dynalite = undefined;
  });

  async function runtimeFor(
    options: {
      policy?: Record<string, unknown>;
      /** A work queue: `true` for a standard queue, or its URL. */
      queue?: boolean | string;
      secret?: Record<string, string>;
      env?: Record<string, string>;
      clock?: () => number;
      deps?: Partial<RuntimeDependencies>;
    } = {},
  ) {
    const worker = fixture.sim.workers[0]!;
    const secret = options.secret ?? { publicKey: worker.publicKey, privateKey: worker.privateKey, baseUrl: fixture.sim.baseUrl };
    secretsMock.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify(secret) });
    output ??= captureOutput();
    return createRuntime(
      {
        ATLAS_SECRET_ID: 'atlas-key-worker/credentials',
        KEY_POLICY: JSON.stringify({ orgs: fixture.sim.workers.map((w) => ({ orgId: w.orgId })), ...options.policy }),
        // The client's pacing buckets refill 100 times faster than Atlas's: these tests are not about pace.
        ATLAS_RATE_LIMIT_TIME_SCALE: '100',
        ...(options.queue ? { WORK_QUEUE_URL: typeof options.queue === 'string' ? options.queue : QUEUE_URL } : {}),
        ...options.env,
      },
      {
        secretsManager: new SecretsManagerClient({}),
        sqs: new SQSClient({}),
        client: { retry: { maxAttempts: 2, baseDelayMs: 5, maxDelayMs: 20 } },
        ...(options.clock === undefined ? {} : { clock: options.clock }),
        ...options.deps,
      },
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

    it('enqueues an anchored continuation on the FIFO work lane when a sweep runs out of time', async () => {
      // Prepare: the sweep's clock jumps an hour ahead once 150 access lists have been read (time passes with
      // the work done, not with the machine's load)
      fixture = await startWorkerFixture({ keysPerOrg: 400, now: new Date() });
      const { sim } = fixture;
      const reads = () => sim.requests.filter((r) => r.method === 'GET' && r.status === 200 && r.url.includes('/accessList'));
      const clock = () => Date.now() + (reads().length >= 150 ? 3_600_000 : 0);
      const runtime = await runtimeFor({ queue: WORK_QUEUE_URL, clock, policy: { maxWritesPerOrgPerDay: 1000 } });

      // Act
      const response = (await runtime.handle(workLaneEvent([{ action: 'sweep', orgId: fixture.orgId }]), lambdaContext())) as SQSBatchResponse;

      // Assess: one continuation in the org's message group, resuming right after the last key read
      expect(response.batchItemFailures).toEqual([]);
      const entries = sqsMock.commandCalls(SendMessageBatchCommand).flatMap((c) => c.args[0].input.Entries ?? []);
      expect(entries).toHaveLength(1);
      const entry = entries[0]!;
      const body = JSON.parse(entry.MessageBody!);
      expect(body).toEqual({ action: 'sweep', orgId: fixture.orgId, cursor: { runId: expect.any(String), order: 'sorted', after: expect.any(String), page: expect.any(Number) } });
      expect(entry.MessageGroupId).toBe(fixture.orgId);
      expect(entry.MessageDeduplicationId).toMatch(/^[0-9a-f]{64}$/);
      const readKeys = new Set(reads().map((r) => /apiKeys\/([a-f0-9]{24})\/accessList/.exec(r.url)![1]));
      const orgKeys = sim.state.apiKeys.filter((k) => k.orgId === fixture.orgId);
      const upToAnchor = orgKeys.filter((k) => k.publicKey <= body.cursor.after).map((k) => k.id);
      expect(readKeys.size).toBeGreaterThanOrEqual(150);
      expect(readKeys.size).toBeLessThan(orgKeys.length);
      expect([...readKeys].sort()).toEqual(upToAnchor.sort());
      const emf = output.records().find((r) => r['_aws'] !== undefined && 'Continuations' in r);
      expect(emf?.['Continuations']).toBe(1);
      expect(output.records().some((r) => r['_aws'] !== undefined && 'SweepsCompleted' in r)).toBe(false);
    });
    it('a continuation that could not get past its cursor is not taken by SQS for a duplicate of the message it continues', async () => {
      // Prepare: three keys in use, each with three stale entries (pruned one after another, each re-read first).
      // In each invocation, once an entry has been pruned the sweep's clock reads an hour later: the prunes still
      // to start are deferred, and the position does not move.
      fixture = await startWorkerFixture({ keysPerOrg: 0, now: new Date() });
      const { sim, orgId } = fixture;
      const daysAgo = (days: number) => new Date(Date.now() - days * 86_400_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
      const entry = (address: string, lastUsedDays: number) => ({ cidrBlock: address, ipAddress: address, created: daysAgo(900), lastUsed: daysAgo(lastUsedDays), count: 3 });
      sim.state.apiKeys = [
        ...sim.state.apiKeys,
        ...[1, 2, 3].map((n) => ({
          id: `6b${String(n).padStart(22, '0')}`,
          publicKey: `prunekey${n}`.slice(0, 8),
          privateKey: 'x',
          desc: `in use ${n}`,
          orgId,
          roles: [{ orgId, roleName: 'ORG_MEMBER' }],
          accessList: [entry(`198.51.100.${n}`, 1), entry(`203.0.113.${n}`, 200), entry(`203.0.113.${n + 10}`, 300), entry(`203.0.113.${n + 20}`, 400)],
        })),
      ];
      let invocationStart = 0;
      const pruned = () => sim.requests.slice(invocationStart).some((r) => r.method === 'DELETE' && r.url.includes('/accessList/'));
      const runtime = await runtimeFor({ queue: WORK_QUEUE_URL, clock: () => Date.now() + (pruned() ? 3_600_000 : 0), policy: { dryRun: false } });
      const deliver = async (body: Record<string, unknown>, id: string) => {
        sqsMock.resetHistory();
        invocationStart = sim.requests.length;
        const response = (await runtime.handle(workLaneEvent([body], id), lambdaContext())) as SQSBatchResponse;
        const entries = sqsMock.commandCalls(SendMessageBatchCommand).flatMap((c) => c.args[0].input.Entries ?? []);
        const prunes = sim.requests.slice(invocationStart).filter((r) => r.method === 'DELETE').length;
        return { failures: response.batchItemFailures, entries, prunes };
      };

      // Act: the sweep, then its continuation, then that one's
      const first = await deliver({ action: 'sweep', orgId }, 'first');
      const second = await deliver(JSON.parse(first.entries[0]!.MessageBody!), 'second');
      const third = await deliver(JSON.parse(second.entries[0]!.MessageBody!), 'third');

      // Assess: each invocation pruned one entry per key; the second continuation is the same command as the first
      // (same position), yet SQS's five-minute deduplication must not drop it: its deduplication id differs
      expect([first, second, third].map((delivery) => [delivery.failures, delivery.prunes])).toEqual([[[], 3], [[], 3], [[], 3]]);
      expect([first.entries.length, second.entries.length, third.entries.length]).toEqual([1, 1, 0]);
      expect(second.entries[0]!.MessageBody).toBe(first.entries[0]!.MessageBody);
      expect(second.entries[0]!.MessageDeduplicationId).not.toBe(first.entries[0]!.MessageDeduplicationId);
      expect(sim.state.apiKeys.filter((k) => k.orgId === orgId && k.desc?.startsWith('in use')).map((k) => k.accessList.length)).toEqual([1, 1, 1]);
    });

    it('fails a sweep message whose invocation deferred every action without moving (no continuation that would loop)', async () => {
      // Prepare: the clock jumps an hour once every access list has been read: the batch is all deferred
      fixture = await startWorkerFixture({ keysPerOrg: 30, staleFraction: 0.5, now: new Date() });
      const { sim, orgId } = fixture;
      let invocationStart = 0;
      const reads = () => sim.requests.slice(invocationStart).filter((r) => r.method === 'GET' && r.status === 200 && r.url.includes('/accessList')).length;
      const runtime = await runtimeFor({ queue: WORK_QUEUE_URL, clock: () => Date.now() + (reads() >= 31 ? 3_600_000 : 0), policy: { dryRun: false } });
      const cursor = { runId: 'run-1', order: 'sorted', page: 1 };

      // Act
      invocationStart = sim.requests.length;
      const response = (await runtime.handle(workLaneEvent([{ action: 'sweep', orgId, cursor }]), lambdaContext())) as SQSBatchResponse;

      // Assess: nothing sent, nothing enqueued, the message fails (SQS retries it, then keeps it in the DLQ)
      expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'message-0' }]);
      expect(fixture.writes()).toEqual([]);
      expect(sqsMock.commandCalls(SendMessageBatchCommand)).toHaveLength(0);
      const failure = output.records().find((r) => r['message'] === 'queue message failed; it will be retried, then moved to the DLQ');
      expect(String(failure?.['reason'])).toContain('made no progress');
    });
  });

  describe('Lanes', () => {
    it.each([
      ['sweep', (orgId: string) => ({ action: 'sweep', orgId })],
      ['pruneAccessListEntry', (orgId: string, key: { id: string }) => ({ action: 'pruneAccessListEntry', orgId, apiUserId: key.id, entry: '192.0.2.1' })],
    ])('refuses a %s arriving on the urgent (standard) lane, before any request: it must come through the FIFO lane', async (action, command) => {
      fixture = await startWorkerFixture({ keysPerOrg: 5, now: new Date() });
      const runtime = await runtimeFor({ policy: { dryRun: false } });
      const key = fixture.sim.state.apiKeys.find((k) => k.publicKey !== fixture.selfPublicKey)!;

      const response = (await runtime.handle(urgentLaneEvent([command(fixture.orgId, key)]), lambdaContext())) as SQSBatchResponse;

      expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'message-0' }]);
      const failure = output.records().find((r) => r['message'] === 'queue message failed; it will be retried, then moved to the DLQ');
      expect(String(failure?.['reason'])).toContain(`action: ${action} must be sent to the FIFO work lane`);
      expect(fixture.sim.requests).toEqual([]);
    });

    it('runs a revocation from either lane', async () => {
      fixture = await startWorkerFixture({ keysPerOrg: 5, now: new Date() });
      const runtime = await runtimeFor();
      const [a, b] = fixture.sim.state.apiKeys.filter((k) => k.publicKey !== fixture.selfPublicKey);

      const urgent = (await runtime.handle(urgentLaneEvent([{ action: 'revokeKey', orgId: fixture.orgId, apiUserId: a!.id }]), lambdaContext())) as SQSBatchResponse;
      const work = (await runtime.handle(workLaneEvent([{ action: 'deleteOrgKey', orgId: fixture.orgId, apiUserId: b!.id }]), lambdaContext())) as SQSBatchResponse;

      expect([urgent.batchItemFailures, work.batchItemFailures]).toEqual([[], []]);
      expect(fixture.sim.state.apiKeys.some((k) => k.id === a!.id || k.id === b!.id)).toBe(false);
    });

    it('on the FIFO lane, a failed record fails the rest of its org\'s group (kept in order), not the other orgs\' records', async () => {
      // Prepare: two orgs in the policy; the worker's key is an Org Owner of both
      fixture = await startWorkerFixture({ orgs: 2, keysPerOrg: 5, now: new Date() });
      const [first, second] = fixture.sim.workers.map((w) => w.orgId) as [string, string];
      fixture.sim.state.apiKeys.find((k) => k.publicKey === fixture.selfPublicKey)!.roles.push({ orgId: second, roleName: 'ORG_OWNER' });
      const keysOf = (orgId: string) => fixture.sim.state.apiKeys.filter((k) => k.orgId === orgId && !fixture.sim.workers.some((w) => w.publicKey === k.publicKey));
      const [a, b] = keysOf(first);
      const [c] = keysOf(second);
      fixture.sim.addFault({ method: 'DELETE', path: a!.id, fault: { kind: 'status', status: 500 } });
      const runtime = await runtimeFor();

      // Act: the first org's two deletes, then the second org's one, in one batch
      const response = (await runtime.handle(
        workLaneEvent([
          { action: 'deleteOrgKey', orgId: first, apiUserId: a!.id },
          { action: 'deleteOrgKey', orgId: first, apiUserId: b!.id },
          { action: 'deleteOrgKey', orgId: second, apiUserId: c!.id },
        ]),
        lambdaContext(),
      )) as SQSBatchResponse;

      // Assess: the first org's second record was not run (SQS redelivers both, in order); the other org's was
      expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'message-0' }, { itemIdentifier: 'message-1' }]);
      const deletes = fixture.writes();
      expect(deletes.some((w) => w.endsWith(b!.id))).toBe(false);
      expect(fixture.sim.state.apiKeys.some((k) => k.id === b!.id)).toBe(true);
      expect(fixture.sim.state.apiKeys.some((k) => k.id === c!.id)).toBe(false);
    });
  });

  describe('Write budget', () => {
    it('skips writes past maxWritesPerOrgPerDay with the reason, counts SafetyCapTrips and BudgetRefused, and holds for the next message', async () => {
      // Prepare: a live sweep of an org with many stale keys, a budget of 3 writes a day
      fixture = await startWorkerFixture({ keysPerOrg: 60, staleFraction: 0.5, now: new Date() });
      const runtime = await runtimeFor({ policy: { dryRun: false, maxWritesPerOrgPerDay: 3 } });
      const sweep = workLaneEvent([{ action: 'sweep', orgId: fixture.orgId }]);

      // Act: the sweep, then the same message again in the same container (its in-memory ledger)
      const first = (await runtime.handle(sweep, lambdaContext())) as SQSBatchResponse;
      const writesAfterFirst = fixture.writes().length;
      const second = (await runtime.handle(sweep, lambdaContext())) as SQSBatchResponse;

      // Assess: no failure and no continuation; three writes in all; each refusal audited and counted
      expect([first.batchItemFailures, second.batchItemFailures]).toEqual([[], []]);
      expect(writesAfterFirst).toBe(3);
      expect(fixture.writes()).toHaveLength(3);
      expect(sqsMock.commandCalls(SendMessageBatchCommand)).toHaveLength(0);
      const refused = output.records().filter((r) => r['message'] === 'action' && String(r['detail']).startsWith('write budget exhausted'));
      expect(refused.length).toBeGreaterThan(0);
      expect(refused.every((r) => r['outcome'] === 'skipped')).toBe(true);
      const emf = output.records().filter((r) => r['_aws'] !== undefined);
      // The invocation totals (the per-ActionKind breakdown documents repeat them)
      const sum = (name: string) => emf.filter((r) => r['ActionKind'] === undefined).reduce((total, r) => total + (typeof r[name] === 'number' ? (r[name] as number) : 0), 0);
      expect(sum('SafetyCapTrips')).toBe(2);
      expect(sum('BudgetRefused')).toBe(refused.length);
      expect(sum('ActionsDone')).toBe(3);
      const errors = output.records().filter((r) => r['level'] === 'ERROR' && String(r['message']).startsWith('write budget exhausted'));
      expect(errors.map((r) => [r['limit'], r['used']])).toEqual([[3, 3], [3, 3]]);
      expect(output.records().some((r) => r['_aws'] !== undefined && 'SweepsCompleted' in r)).toBe(false);
    });

    it("counts an explicit command's write refused by the budget like a sweep's, while a revocation still goes through", async () => {
      // Prepare: a budget of 0 writes a day
      fixture = await startWorkerFixture({ keysPerOrg: 10, now: new Date() });
      const runtime = await runtimeFor({ policy: { maxWritesPerOrgPerDay: 0 } });
      const key = fixture.sim.state.apiKeys.find((k) => k.publicKey !== fixture.selfPublicKey && k.roles.some((r) => r.groupId))!;
      const groupId = key.roles.find((r) => r.groupId)!.groupId!;

      // Act: an unassignment (budgeted), then a revocation (recorded, never refused)
      const unassign = (await runtime.handle(workLaneEvent([{ action: 'revokeProjectKey', groupId, apiUserId: key.id }], 'unassign'), lambdaContext())) as SQSBatchResponse;
      const revoke = (await runtime.handle(urgentLaneEvent([{ action: 'revokeKey', orgId: fixture.orgId, apiUserId: key.id }], 'revoke'), lambdaContext())) as SQSBatchResponse;

      // Assess: the unassignment skipped with the reason (not a failure: no retry), counted and logged; the key deleted
      expect([unassign.batchItemFailures, revoke.batchItemFailures]).toEqual([[], []]);
      expect(fixture.writes()).toEqual([`DELETE /api/atlas/v2/orgs/${fixture.orgId}/apiKeys/${key.id}`]);
      const audit = output.records().filter((r) => r['message'] === 'action');
      expect(audit.map((r) => [r['kind'], r['outcome']])).toEqual([
        ['unassignFromProject', 'skipped'],
        ['deleteOrgKey', 'done'],
      ]);
      expect(String(audit[0]?.['detail'])).toMatch(/^write budget exhausted: 0 of 0 writes/);
      const totals = output.records().filter((r) => r['_aws'] !== undefined && r['ActionKind'] === undefined);
      const sum = (name: string) => totals.reduce((total, r) => total + (typeof r[name] === 'number' ? (r[name] as number) : 0), 0);
      expect([sum('SafetyCapTrips'), sum('BudgetRefused')]).toEqual([1, 1]);
      expect(output.records().some((r) => r['level'] === 'ERROR' && String(r['message']).startsWith('write budget exhausted'))).toBe(true);
    });

    it('shares the budget between containers through the state table (dynalite)', async () => {
      // Prepare: two containers (separate runtimes) on one state table
      fixture = await startWorkerFixture({ keysPerOrg: 60, staleFraction: 0.5, now: new Date() });
      dynalite = await startDynalite();
      const env = { STATE_TABLE_NAME: dynalite.tableName };
      const deps = { dynamodb: dynalite.client };
      const one = await runtimeFor({ policy: { dryRun: false, maxWritesPerOrgPerDay: 4 }, env, deps });
      const two = await runtimeFor({ policy: { dryRun: false, maxWritesPerOrgPerDay: 4 }, env, deps });

      // Act
      await one.handle(workLaneEvent([{ action: 'sweep', orgId: fixture.orgId }], 'one'), lambdaContext());
      await two.handle(workLaneEvent([{ action: 'sweep', orgId: fixture.orgId }], 'two'), lambdaContext());

      // Assess: four writes in all, reserved in the table before each was sent
      expect(fixture.writes()).toHaveLength(4);
      expect(await createDynamoState({ tableName: dynalite.tableName, client: dynalite.client }).budget.usage(fixture.orgId, new Date())).toBe(4);
      expect(dynalite.requests.filter((r) => r === 'UpdateItem').length).toBeGreaterThan(4);
      expect(output.text()).not.toContain(IN_MEMORY_STATE_WARNING);
    });

    it('warns at start-up that the budget is in memory only when STATE_TABLE_NAME is not set', async () => {
      fixture = await startWorkerFixture({ keysPerOrg: 1, now: new Date() });

      await runtimeFor();

      const warning = output.records().find((r) => r['level'] === 'WARN' && r['message'] === IN_MEMORY_STATE_WARNING);
      expect(warning).toBeDefined();
    });
  });

  describe('Heartbeat', () => {
    it('publishes SweepsCompleted with the org as a dimension when a sweep reaches the end of its listing', async () => {
      fixture = await startWorkerFixture({ keysPerOrg: 20, now: new Date() });
      const runtime = await runtimeFor();

      await runtime.handle(workLaneEvent([{ action: 'sweep', orgId: fixture.orgId }]), lambdaContext());

      const heartbeats = output.records().filter((r) => r['_aws'] !== undefined && 'SweepsCompleted' in r);
      expect(heartbeats).toHaveLength(1);
      const heartbeat = heartbeats[0]!;
      expect(heartbeat).toMatchObject({ SweepsCompleted: 1, orgId: fixture.orgId, service: 'atlas-key-worker' });
      const directive = (heartbeat['_aws'] as { CloudWatchMetrics: Array<{ Dimensions: string[][] }> }).CloudWatchMetrics[0]!;
      expect(directive.Dimensions).toEqual([['service', 'orgId']]);
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
