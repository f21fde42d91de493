import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAtlasClient } from '../../lambda/atlas/index.ts';
import { parsePolicy } from '../../lambda/policy/parse-policy.ts';
import { createRuntime } from '../../lambda/runtime/create-runtime.ts';
import { sweepOrg } from '../../lambda/worker/sweep-org.ts';
import { startSimulator } from '../../sim/index.ts';
import type { Simulator } from '../../sim/types.ts';
import { WORK_QUEUE_URL, workLaneEvent } from '../fixtures/sqs-lanes.ts';
import { captureOutput } from '../helpers/capture-output.ts';
import { lambdaContext } from '../helpers/lambda-context.ts';
import { accessListReads, applyPlan, viewOf } from './helpers.ts';

const sqsMock = mockClient(SQSClient);
/** Bounds the SQS replay: no test may loop for ever. */
const MAX_INVOCATIONS = 40;

/** A batch of the FIFO work lane, as Lambda delivers it: message ids `message-<invocation>-<index>`. */
const sqsEvent = (bodies: readonly string[], invocation: number) => workLaneEvent(bodies, `message-${invocation}`);

function workerEnv(sim: Simulator, orgIds: readonly string[], extra: Record<string, string> = {}): Record<string, string> {
  const worker = sim.workers[0]!;
  return {
    KEY_POLICY: JSON.stringify({ orgs: orgIds.map((orgId) => ({ orgId })), dryRun: false, maxWritesPerOrgPerDay: 100_000 }),
    MONGODB_ATLAS_PUBLIC_API_KEY: worker.publicKey,
    MONGODB_ATLAS_PRIVATE_API_KEY: worker.privateKey,
    MONGODB_ATLAS_BASE_URL: sim.baseUrl,
    WORK_QUEUE_URL,
    ...extra,
  };
}

/** The dry-run plan of the worker's org, read by a client of its own (unpaced), from the current state. */
async function dryRunPlan(sim: Simulator, worker: Simulator['workers'][number], now: Date) {
  const planner = createAtlasClient({
    baseUrl: sim.baseUrl,
    flavor: 'atlas',
    credentials: { kind: 'digest', publicKey: worker.publicKey, privateKey: worker.privateKey },
    pacing: false,
  });
  try {
    const policy = parsePolicy({ orgs: [{ orgId: worker.orgId }], maxWritesPerOrgPerDay: 100_000 });
    return await sweepOrg({ client: planner, orgId: worker.orgId, policy, now, dryRun: true, selfPublicKey: worker.publicKey });
  } finally {
    await planner.close();
  }
}

/**
 * Delivers `bodies`, then every message the handler enqueued, one invocation per batch, until none is left.
 * `beforeEach` runs before each invocation (tests reset what the invocation's clock reads).
 */
async function drainQueue(runtime: ReturnType<typeof createRuntime>, bodies: string[], remainingMs: number, beforeEach: () => void = () => {}) {
  let pending = bodies;
  let invocations = 0;
  const failures: unknown[] = [];
  while (pending.length > 0 && invocations < MAX_INVOCATIONS) {
    sqsMock.resetHistory();
    beforeEach();
    const response = (await runtime.handle(sqsEvent(pending, invocations), lambdaContext(remainingMs))) as SQSBatchResponse;
    invocations += 1;
    failures.push(...response.batchItemFailures);
    pending = sqsMock.commandCalls(SendMessageBatchCommand).flatMap((call) => (call.args[0].input.Entries ?? []).map((entry) => entry.MessageBody!));
  }
  return { invocations, failures, left: pending };
}

describe('Scale › continuation through the handler', () => {
  let sim: Simulator | undefined;
  let output: ReturnType<typeof captureOutput> | undefined;
  beforeEach(() => {
    sqsMock.reset();
    sqsMock.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [] });
  });
  afterEach(async () => {
    output?.stop();
    await sim?.close();
    sim = undefined;
    output = undefined;
  });

  it('a sweep cut by short invocations continues from each cursor: every access list read once, the org ends as the dry-run plan', { timeout: 120_000 }, async () => {
    // Prepare: 300 keys, and the dry-run plan from the same state. Each invocation has 10 minutes and the
    // default 60 s margin; its clock jumps 550 s ahead once it has read 70 access lists: past the scan deadline
    // (scanning stops), 48 s of real time before the executor's own margin (the last batch still runs).
    const now = new Date();
    sim = await startSimulator({ seed: { now, keysPerOrg: 300, entriesPerKey: [2, 5], staleFraction: 0.2 } });
    const simulator = sim;
    const worker = sim.workers[0]!;
    const planned = await dryRunPlan(sim, worker, now);
    const before = viewOf(sim.state, worker.orgId);
    const from = sim.requests.length;
    // Access lists read by the current invocation, counted as the log grows (the clock is read often)
    let counted = from;
    let reads = 0;
    const readsThisInvocation = () => {
      for (; counted < simulator.requests.length; counted += 1) {
        const entry = simulator.requests[counted]!;
        if (entry.method === 'GET' && entry.status === 200 && entry.url.includes('/accessList')) reads += 1;
      }
      return reads;
    };
    output = captureOutput();
    const runtime = createRuntime(workerEnv(sim, [worker.orgId]), {
      sqs: new SQSClient({}),
      client: { pacing: false, retry: { maxAttempts: 2, baseDelayMs: 5, maxDelayMs: 20 } },
      clock: () => Date.now() + (readsThisInvocation() >= 70 ? 550_000 : 0),
    });

    // Act: each enqueued continuation is the next SQS record
    const run = await drainQueue(runtime, [JSON.stringify({ action: 'sweep', orgId: worker.orgId })], 600_000, () => {
      counted = simulator.requests.length;
      reads = 0;
    });
    await runtime.session.close();
    output.stop();

    // Assess: nothing failed or was deferred; each key scanned once (its reads less one re-read per prune)
    const records = output.records();
    const reasons = records.filter((r) => String(r['message']).startsWith('queue message failed')).map((r) => r['reason']);
    expect(reasons).toEqual([]);
    expect(run.failures).toEqual([]);
    expect(run.left).toEqual([]);
    expect(run.invocations).toBeGreaterThanOrEqual(4);
    const audited = records.filter((r) => r['message'] === 'action');
    expect(audited.filter((r) => String(r['detail']).startsWith('deadline'))).toEqual([]);
    const scans = accessListReads(sim.requests.slice(from));
    for (const prune of audited.filter((r) => r['kind'] === 'pruneAccessListEntry')) {
      const id = String(prune['apiUserId']);
      scans.set(id, (scans.get(id) ?? 0) - 1);
    }
    expect([...scans.keys()].sort()).toEqual([...before.keys()].sort());
    expect([...scans.entries()].filter(([, count]) => count !== 1)).toEqual([]);
    expect(viewOf(sim.state, worker.orgId)).toEqual(applyPlan(before, planned.results.map((r) => r.action)));
  });

  it('fans out one sweep per org from the schedule, and the queue then sweeps each org to its plan', async () => {
    // Prepare: 3 orgs; the worker's key is an Org Owner of the first only, so each org gets its own worker env
    const now = new Date();
    sim = await startSimulator({ seed: { now, orgs: 3, keysPerOrg: 40, entriesPerKey: [2, 5], staleFraction: 0.3 } });
    const orgIds = sim.workers.map((w) => w.orgId);
    const before = new Map(orgIds.map((orgId) => [orgId, viewOf(sim!.state, orgId)]));
    const plans = new Map<string, ReturnType<typeof applyPlan>>();
    for (const worker of sim.workers) {
      const planned = await dryRunPlan(sim, worker, now);
      plans.set(worker.orgId, applyPlan(before.get(worker.orgId)!, planned.results.map((r) => r.action)));
    }
    output = captureOutput();
    const scheduler = createRuntime(workerEnv(sim, orgIds), { sqs: new SQSClient({}) });

    // Act: the schedule fans out; each org's message is then handled with that org's worker credentials
    await scheduler.handle({ source: 'aws.events', 'detail-type': 'Scheduled Event', detail: {} }, lambdaContext());
    const fannedOut = sqsMock.commandCalls(SendMessageBatchCommand).flatMap((call) => (call.args[0].input.Entries ?? []).map((entry) => entry.MessageBody!));
    const runs = [];
    for (const [index, body] of fannedOut.entries()) {
      const worker = sim.workers[index]!;
      const runtime = createRuntime(
        { ...workerEnv(sim, orgIds), MONGODB_ATLAS_PUBLIC_API_KEY: worker.publicKey, MONGODB_ATLAS_PRIVATE_API_KEY: worker.privateKey },
        { sqs: new SQSClient({}), client: { pacing: false } },
      );
      runs.push(await drainQueue(runtime, [body], 60_000));
      await runtime.session.close();
    }
    output.stop();

    // Assess
    expect(fannedOut.map((body) => JSON.parse(body))).toEqual(orgIds.map((orgId) => ({ action: 'sweep', orgId })));
    expect(runs.every((run) => run.failures.length === 0 && run.left.length === 0)).toBe(true);
    for (const orgId of orgIds) expect(viewOf(sim.state, orgId)).toEqual(plans.get(orgId));
  });

  /** An org of 40 keys, its dry-run plan, and a runtime whose clock jumps past the deadline on demand. */
  async function deferringRuntime() {
    const now = new Date();
    const simulator = await startSimulator({ seed: { now, keysPerOrg: 40, entriesPerKey: [2, 5], staleFraction: 0.3 } });
    sim = simulator;
    const worker = simulator.workers[0]!;
    const planned = await dryRunPlan(simulator, worker, now);
    const clockState = { jumpAfterUnassign: true };
    // Once a key has been unassigned, the sweep's clock reads an hour later: the rest of that phase and every
    // org-key delete are deferred (never sent)
    const unassigned = () => simulator.requests.some((r) => r.method === 'DELETE' && r.url.includes('/groups/'));
    const clock = () => Date.now() + (clockState.jumpAfterUnassign && unassigned() ? 3_600_000 : 0);
    output = captureOutput();
    const runtime = createRuntime(workerEnv(simulator, [worker.orgId]), {
      sqs: new SQSClient({}),
      client: { pacing: false, retry: { maxAttempts: 2, baseDelayMs: 5, maxDelayMs: 20 } },
      clock,
    });
    const firstInvocation = async () => {
      const response = (await runtime.handle(sqsEvent([JSON.stringify({ action: 'sweep', orgId: worker.orgId })], 0), lambdaContext(60_000))) as SQSBatchResponse;
      const enqueued = sqsMock.commandCalls(SendMessageBatchCommand).flatMap((call) => (call.args[0].input.Entries ?? []).map((entry) => entry.MessageBody!));
      clockState.jumpAfterUnassign = false;
      return { response, enqueued };
    };
    return { simulator, worker, planned, before: viewOf(simulator.state, worker.orgId), runtime, firstInvocation };
  }

  it('actions the deadline deferred are planned again by the continuation: the message is not failed, nothing is lost', async () => {
    // Prepare
    const { simulator, worker, planned, before, runtime, firstInvocation } = await deferringRuntime();
    const kinds = planned.results.map((r) => r.action.kind);
    expect(kinds.filter((kind) => kind === 'unassignFromProject').length).toBeGreaterThan(1);
    expect(kinds).toContain('deleteOrgKey');

    // Act: the first invocation, then the queue drained with the clock back to normal
    const first = await firstInvocation();
    const rest = await drainQueue(runtime, first.enqueued, 60_000);
    await runtime.session.close();
    output!.stop();

    // Assess: work was deferred, not failed; the continuation starts at the top; the org ends as planned
    const deferred = output!.records().filter((r) => r['message'] === 'action' && String(r['detail']).startsWith('deadline'));
    expect(deferred.map((r) => r['kind'])).toContain('deleteOrgKey');
    expect(first.response.batchItemFailures).toEqual([]);
    expect(first.enqueued.map((body) => JSON.parse(body).cursor)).toEqual([{ runId: expect.any(String), order: 'sorted', page: 1 }]);
    expect(rest.failures).toEqual([]);
    expect(rest.left).toEqual([]);
    expect(viewOf(simulator.state, worker.orgId)).toEqual(applyPlan(before, planned.results.map((r) => r.action)));
  });

  it('a sweep with a failed action enqueues no continuation (a retry of the message would fork the run): the message fails', async () => {
    // Prepare: the first prune is refused
    const { simulator, planned, runtime, firstInvocation } = await deferringRuntime();
    const prune = planned.results.find((r) => r.action.kind === 'pruneAccessListEntry')!.action;
    simulator.addFault({ method: 'DELETE', path: `/apiKeys/${prune.apiUserId}/accessList/`, times: 1, fault: { kind: 'status', status: 403 } });

    // Act
    const first = await firstInvocation();
    await runtime.session.close();
    output!.stop();

    // Assess
    expect(first.response.batchItemFailures).toEqual([{ itemIdentifier: 'message-0-0' }]);
    expect(first.enqueued).toEqual([]);
  });
});
