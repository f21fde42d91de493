import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { SimApiKey } from '../../sim/types.ts';
import { assessRow, drain } from './fault-cases.ts';
import {
  crashingClient,
  diffState,
  doneOf,
  fifoEvent,
  type Harness,
  type Intended,
  type PassResult,
  renderSummary,
  retriesOf,
  type Snapshot,
  type SummaryRow,
  keySnapshot,
  sizeOf,
  snapshot,
  startHarness,
} from './fault-harness.ts';
import { lambdaContext } from '../helpers/lambda-context.ts';
import { captureShared } from './shared-capture.ts';

/**
 * Fault matrix (c): the ways the write budget, the never-empty access list and "unknown is never stale" used to
 * break (issue 11) — an SQS redelivery after a partial failure, a 401 mid-sweep, a crash between two deletes, two
 * invocations on one org at once, others deleting and inserting keys mid-sweep. One sweep message through the
 * handler, the budget in dynalite. Each row's budget is below what the plan needs, so the budget binds; every
 * row: writes ≤ budget, reserved ≤ budget, wrong = 0, lost = 0 (left undone only once the day's budget is spent).
 */
describe('Fault matrix › the write budget and the access lists under redelivery, 401s, crashes and concurrency', () => {
  const rows: SummaryRow[] = [];
  let h: Harness | undefined;

  afterEach(async () => {
    await h?.close();
    h = undefined;
  });
  afterAll(() => {
    process.stdout.write(`${renderSummary('Fault matrix: trust (budget binds; dynalite state table)', rows)}\n`);
  });

  /** An org whose plan has many writes of every kind; its plan (dry run, no state left behind). */
  async function prepare(seed = 7, latencyMs = 0) {
    h = await startHarness({ auth: 'digest', seed: { seed, keysPerOrg: 60, staleFraction: 0.45, projectsPerOrg: 3 }, sim: { latencyMs } });
    const intended = await h.planSweep();
    expect(sizeOf(intended)).toBeGreaterThan(20);
    return { h, intended, planned: sizeOf(intended) };
  }

  function row(name: string, first: PassResult, redrives: number, budget: number, outcome: Awaited<ReturnType<typeof assessRow>>, extra: Partial<SummaryRow> = {}): SummaryRow {
    const failureLogs = first.records.filter((r) => r['message'] === 'queue message failed; it will be retried, then moved to the DLQ');
    const result: SummaryRow = {
      name,
      requests: first.requests,
      faults: first.faults,
      done: doneOf(first.metrics),
      retried: retriesOf(first.metrics),
      failedToDlq: first.failed.length,
      redrives,
      budget,
      ...outcome,
      elapsedMs: first.elapsedMs,
      budgetMs: 30_000,
      reasons: [...new Set(failureLogs.map((log) => String(log['reason']).slice(0, 160)))],
      ...extra,
    };
    rows.push(result);
    return result;
  }

  /** The invariants every row asserts (soft ones inside `assessRow` already printed the details). */
  function expectHeld(result: SummaryRow): void {
    expect(result.wrong, 'wrong writes').toBe(0);
    expect(result.lost, 'intended changes lost').toBe(0);
    expect(result.writes).toBeLessThanOrEqual(result.budget);
    expect(result.reserved).toBeLessThanOrEqual(result.budget);
    // The budget was the binding limit: spent to the unit, the rest held back for another day.
    expect(result.reserved).toBe(result.budget);
    expect(result.heldBack).toBeGreaterThan(0);
  }

  /** Collects unintended changes after every pass. */
  const watcher = (harness: Harness, before: Snapshot, intended: Intended) => {
    const unexpected = new Set<string>();
    const check = () => {
      for (const change of diffState(before, snapshot(harness.sim), intended).unexpected) unexpected.add(change);
    };
    return { unexpected, check };
  };

  it('SQS redelivery after a partial failure', { timeout: 180_000 }, async () => {
    // Prepare: budget 60% of the plan (at least every prune and one more); every DELETE of one key's access-list
    // entries fails with 500 in the first invocation (prunes run first: each reserves before it is sent)
    const { h, intended, planned } = await prepare();
    const prunedKeys = [...new Set([...intended.prunes].map((p) => p.split('|')[0]!))];
    const budget = Math.max(Math.ceil(planned * 0.6), intended.prunes.size + 1);
    h.useContainer({ budget });
    await h.warmUp();
    const before = snapshot(h.sim);
    const logStart = h.sim.requests.length;
    const { unexpected, check } = watcher(h, before, intended);
    h.sim.addFault({ method: 'DELETE', path: `/apiKeys/${prunedKeys[0]}/accessList/`, fault: { kind: 'status', status: 500 } });
    const sweep = h.message({ action: 'sweep', orgId: h.orgId });

    // Act: the message fails (an action failed) and comes back with its original body, the fault over
    const first = await h.runPass([sweep], 30_000);
    h.sim.clearFaults();
    check();
    const { redrives } = await drain(h, [...first.failed.map(() => sweep), ...first.continuations], check);

    // Assess
    expect(first.failed).toEqual([sweep.messageId]);
    const outcome = await assessRow(h, { before, intended, log: h.sim.requests.slice(logStart), unexpected, budget });
    expectHeld(row('SQS redelivery after a partial failure', first, redrives, budget, outcome));
  });

  it('a 401 mid-sweep (the secret rotated at the 5th write)', { timeout: 180_000 }, async () => {
    // Prepare: the worker's key is rotated (Atlas and Secrets Manager) when the 5th write arrives
    const { h, intended, planned } = await prepare(11);
    const budget = Math.ceil(planned * 0.6);
    h.useContainer({ budget });
    await h.warmUp();
    const before = snapshot(h.sim);
    const logStart = h.sim.requests.length;
    const { unexpected, check } = watcher(h, before, intended);
    const rotated = 'f0e1d2c3-b4a5-4687-9281-rotated00401';
    let writes = 0;
    const stop = h.onRequest((request) => {
      if (request.method !== 'DELETE') return;
      writes += 1;
      if (writes !== 5) return;
      h.rotateKey(rotated);
      h.setSecrets(h.secretOf(rotated));
    });
    const sweep = h.message({ action: 'sweep', orgId: h.orgId });

    // Act
    const first = await h.runPass([sweep], 30_000);
    stop();
    check();
    const { redrives } = await drain(h, [...first.failed.map(() => sweep), ...first.continuations], check);

    // Assess: the 401s happened (the writes after the rotation failed, their units spent), the message was retried
    // and the secret read again. (A 401 on a read re-runs the sweep inside the invocation: trust case 4.)
    expect(first.log.filter((r) => r.status === 401).length).toBeGreaterThan(0);
    expect(first.failed).toEqual([sweep.messageId]);
    expect(h.secretReads()).toBeGreaterThanOrEqual(1);
    const outcome = await assessRow(h, { before, intended, log: h.sim.requests.slice(logStart), unexpected, budget });
    expectHeld(row('401 mid-sweep (secret rotated at the 5th write)', first, redrives, budget, { ...outcome }, { faults: first.log.filter((r) => r.status === 401).length }));
  });

  it('a crash between two deletes, then the redelivery', { timeout: 180_000 }, async () => {
    // Prepare: budget = the plan exactly. The dying container's first reservation is answered (its DELETE goes
    // out); the second reaches the table but the container dies before the answer; nothing leaves it after that.
    const { h, intended, planned } = await prepare(13);
    const budget = planned;
    const crash = crashingClient(h.stateClient, 1);
    const dying = h.container({ budget, dynamodb: crash.client });
    await h.warmUp(dying);
    const before = snapshot(h.sim);
    const logStart = h.sim.requests.length;
    const { unexpected, check } = watcher(h, before, intended);
    const sweep = h.message({ action: 'sweep', orgId: h.orgId });
    const output = captureShared();
    const dead = dying.runtime.handle(fifoEvent([sweep]), lambdaContext(30_000)).catch(() => undefined);

    // Act: once it is dead and its last request answered, SQS delivers the message again (another container)
    await crash.crashed;
    await quiescent(h, logStart);
    const writesOfTheDead = h.sim.requests.slice(logStart).filter((r) => r.method === 'DELETE').length;
    const usedByTheDead = await h.budgetUsed();
    h.useContainer({ budget });
    await h.warmUp();
    const first = await h.runPass([sweep], 30_000);
    check();
    const { redrives } = await drain(h, [...first.failed.map(() => sweep), ...first.continuations], check);
    crash.release();
    await dead;
    output.stop();

    // Assess: the dead container sent one write and spent two units; the budget still held exactly
    expect(writesOfTheDead).toBe(1);
    expect(usedByTheDead).toBe(2);
    const outcome = await assessRow(h, { before, intended, log: h.sim.requests.slice(logStart), unexpected, budget });
    expect(outcome.heldBack, 'what the crash wasted is held back, never taken twice').toBeGreaterThanOrEqual(1);
    expectHeld(row('crash between two deletes (+ redelivery)', first, redrives, budget, outcome, { faults: 1 }));
  });

  it('two invocations on one org at once', { timeout: 180_000 }, async () => {
    // Prepare: two warm containers, one budget; a little latency so that their requests interleave
    const { h, intended, planned } = await prepare(17, 4);
    const budget = Math.ceil(planned * 0.6);
    const a = h.useContainer({ budget });
    const b = h.container({ budget });
    await h.warmUp(a);
    await h.warmUp(b);
    const before = snapshot(h.sim);
    const logStart = h.sim.requests.length;
    const { unexpected, check } = watcher(h, before, intended);
    const [one, two] = [h.message({ action: 'sweep', orgId: h.orgId }), h.message({ action: 'sweep', orgId: h.orgId })];

    // Act
    const [first, second] = await h.runConcurrent(
      [
        { messages: [one], container: a },
        { messages: [two], container: b },
      ],
      30_000,
    );
    check();
    const bodies = new Map([
      [one.messageId, one],
      [two.messageId, two],
    ]);
    const retry = [...first!.failed, ...second!.failed].map((id) => bodies.get(id)!);
    const { redrives } = await drain(h, [...retry, ...first!.continuations], check);

    // Assess
    const outcome = await assessRow(h, { before, intended, log: h.sim.requests.slice(logStart), unexpected, budget });
    expectHeld(
      row('two invocations on one org at once', first!, redrives, budget, outcome, {
        done: doneOf(first!.metrics) + doneOf(second!.metrics),
        failedToDlq: first!.failed.length + second!.failed.length,
      }),
    );
  });

  it('others deleting and inserting keys mid-sweep, across continuations', { timeout: 180_000 }, async () => {
    // Prepare: every invocation's time is up after 20 access-list reads: its deadline clock jumps 100 s, past the
    // point where scanning stops (30 s before the deadline), well before the executor's cut-off (1 s before).
    // Every 10th read, someone deletes a key and creates one (in use), with a public key anywhere in the order.
    const { h, intended, planned } = await prepare(19);
    const budget = Math.ceil(planned * 0.8);
    h.useContainer({ budget, env: { SWEEP_MARGIN_SECONDS: '60' } });
    await h.warmUp();
    const before = new Map(snapshot(h.sim)) as Snapshot;
    const logStart = h.sim.requests.length;
    const deletedByOthers = new Set<string>();
    const insertedByOthers = new Set<string>();
    let reads = 0;
    let edits = 0;
    const others = h.onRequest((request) => {
      if (request.method !== 'GET' || !request.url.includes('/accessList')) return;
      reads += 1;
      if (reads === 20) h.deadlineClock.skewMs = 100_000;
      if (reads % 10 !== 0 || edits >= 10) return;
      edits += 1;
      const candidates = h.sim.state.apiKeys.filter((k) => k.orgId === h.orgId && k.id !== h.worker.apiKeyId && !insertedByOthers.has(k.id));
      const victim = candidates[(edits * 7919) % candidates.length]!;
      const created = newKey(h, edits);
      deletedByOthers.add(victim.id);
      insertedByOthers.add(created.id);
      // A new array: the simulator's index notices (a delete and an insert in one step keep the length).
      h.sim.state.apiKeys = [...h.sim.state.apiKeys.filter((k) => k.id !== victim.id), created];
      before.delete(victim.id);
      before.set(created.id, keySnapshot(created));
    });
    const forget = (id: string) => {
      intended.deletes.delete(id);
      for (const set of [intended.unassigns, intended.prunes]) for (const item of [...set]) if (item.startsWith(`${id}|`)) set.delete(item);
    };
    const unexpected = new Set<string>();
    const check = () => {
      for (const id of deletedByOthers) forget(id);
      for (const u of diffState(before, snapshot(h.sim), intended).unexpected) unexpected.add(u);
    };
    const sweep = h.message({ action: 'sweep', orgId: h.orgId });
    const newPass = () => {
      reads = 0;
      h.deadlineClock.skewMs = 0;
    };

    // Act: the sweep, then every continuation it enqueues
    newPass();
    const first = await h.runPass([sweep], 120_000);
    check();
    const { redrives } = await drain(h, [...first.failed.map(() => sweep), ...first.continuations], check, newPass, 120_000);
    others();

    // Assess: the first invocation was cut short and continued; others edited the org meanwhile; every key
    // present for the whole sweep was read
    expect(first.failed).toEqual([]);
    expect(first.continuations).toHaveLength(1);
    expect(doneOf(first.metrics)).toBeGreaterThan(0);
    expect(deletedByOthers.size).toBeGreaterThan(3);
    const read = new Set(h.sim.requests.slice(logStart).flatMap((r) => /\/apiKeys\/([a-f0-9]{24})\/accessList\?/.exec(r.url)?.[1] ?? []));
    const throughout = [...before.keys()].filter((id) => !insertedByOthers.has(id) && id !== h.worker.apiKeyId);
    expect(throughout.filter((id) => !read.has(id)), 'keys present for the whole sweep never read').toEqual([]);
    const outcome = await assessRow(h, { before, intended, log: h.sim.requests.slice(logStart), unexpected, budget });
    const result = row('others delete and insert keys mid-sweep (+ continuations)', first, redrives, budget, outcome, {
      faults: deletedByOthers.size + insertedByOthers.size,
      budgetMs: 120_000,
    });
    expect(result.wrong).toBe(0);
    expect(result.lost).toBe(0);
    expect(result.writes).toBeLessThanOrEqual(budget);
    expect(result.reserved).toBeLessThanOrEqual(budget);
  });
});

/**
 * Waits until the dead container's one write has gone out and every request the simulator received has been
 * answered: the redelivery comes after the visibility timeout, long after a dead invocation's last request.
 */
async function quiescent(h: Harness, logStart: number): Promise<void> {
  const settled = () => {
    const log = h.sim.requests.slice(logStart);
    return log.some((r) => r.method === 'DELETE') && log.every((r) => r.status !== 0);
  };
  for (let polls = 0; polls < 1000 && !settled(); polls += 1) await new Promise((resolve) => setTimeout(resolve, 10));
}

/** A key created by someone else: in use (used yesterday), no project, a public key anywhere in the order. */
function newKey(h: Harness, n: number): SimApiKey {
  const now = Date.now();
  const iso = (daysAgo: number) => new Date(now - daysAgo * 86_400_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const letters = (value: number) => Array.from({ length: 8 }, (_, i) => String.fromCharCode(97 + (Math.floor(value / 26 ** i) % 26))).join('');
  return {
    id: `6b${n.toString(16).padStart(22, '0')}`,
    publicKey: letters(n * 104_729 + 12_345),
    privateKey: `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`,
    desc: `created-by-others-${n}`,
    orgId: h.orgId,
    roles: [{ orgId: h.orgId, roleName: 'ORG_MEMBER' }],
    accessList: [{ cidrBlock: '192.0.2.200', ipAddress: '192.0.2.200', created: iso(10), lastUsed: iso(1), lastUsedAddress: '192.0.2.200', count: 3 }],
  };
}
