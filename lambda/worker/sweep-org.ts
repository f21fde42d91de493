import { randomUUID } from 'node:crypto';
import type { ApiKey, AtlasClient } from '../atlas/types.ts';
import { nextDue } from '../policy/next-due.ts';
import { plan } from '../policy/plan.ts';
import { policyDigest } from '../policy/policy-digest.ts';
import type { Policy } from '../policy/schema.ts';
import type { Action, Finding } from '../policy/types.ts';
import { createMemoryState } from '../state/index.ts';
import type { KeyStateStore, WriteBudget } from '../state/types.ts';
import { executeActions } from './execute-actions.ts';
import { KeyListing, type ListingPosition } from './key-listing.ts';
import { readAccessLists } from './read-access-lists.ts';
import { recheckPruneOnline } from './recheck-prune.ts';
import { keyStateOf, type ReadContext, readReason } from './select-reads.ts';
import { BUDGET_REFUSAL_PREFIX, isDeferred, SweepProgress } from './sweep-progress.ts';
import type { ActionResult, BudgetExhausted, SweepCursor, SweepProgress as ProgressEvent, SweepSummary } from './types.ts';

export interface SweepOptions {
  readonly client: AtlasClient;
  readonly orgId: string;
  readonly policy: Policy;
  /** The reference time for every staleness decision of this run. */
  readonly now: Date;
  readonly dryRun: boolean;
  /** Public key of the worker's own credentials: that key is never touched. */
  readonly selfPublicKey?: string;
  /** Resume a run that an earlier invocation stopped. */
  readonly cursor?: SweepCursor;
  /** Absolute deadline (epoch ms), e.g. the Lambda's; absent: run to the end. */
  readonly deadline?: number;
  /**
   * Stop scanning this long before the deadline, leaving time to execute the last batch and to enqueue a
   * continuation (in execute mode, plus the second before the deadline in which no action starts). @default 30_000
   */
  readonly marginMs?: number;
  /** Keys per listing page. @default 500 */
  readonly pageSize?: number;
  /**
   * Access-list listings in flight at once. Pacing, not this, keeps the rate under Atlas's limit; this only has
   * to cover the refill rate times the round trip, with room to catch up after a pause (a time-scaled test
   * bucket refills 250 tokens a second: at 50 ms a round trip that is 13 in flight). @default 32
   */
  readonly scanConcurrency?: number;
  /** Write actions in flight at once (within one phase: prune, unassign, delete). Paced like reads. @default 32 */
  readonly executeConcurrency?: number;
  /**
   * Execute once this many actions are planned, then continue scanning (sooner when, at the pace measured so
   * far, the batch would take more than a quarter of `marginMs`). @default 250
   */
  readonly executeBatch?: number;
  /** Stop after visiting this many keys in this invocation and return a continuation (tests, operator limits). */
  readonly maxKeys?: number;
  /** Findings kept in the summary (all are reported through `onFinding`). @default 200 */
  readonly findingsLimit?: number;
  /**
   * Results kept in the summary besides the failed and deferred ones, which are always kept. Every result goes to
   * `onResult`. Set it when the caller records results as they come (audit log, metrics) so that memory stays
   * flat however many actions a run takes; without it `results` holds every action of the run.
   * @default unlimited
   */
  readonly resultsLimit?: number;
  /**
   * The org's durable write budget: one unit is reserved before each write, and a refusal stops the run's writes.
   * @default a fresh in-memory budget (local runs; it holds within this call only)
   */
  readonly budget?: WriteBudget;
  /**
   * Per-key next-due records: with them the sweep is incremental — it reads the access list only of keys that
   * are new, changed, due or not fully read for `policy.fullReadEveryDays`, and records what it read. Absent: a
   * full sweep (every key read).
   */
  readonly keyState?: KeyStateStore;
  readonly onProgress?: (progress: ProgressEvent) => void;
  readonly onResult?: (result: ActionResult) => void;
  readonly onFinding?: (finding: Finding) => void;
  /** Called once when the budget refuses a write: every later action of the run is skipped. */
  readonly onBudgetExhausted?: (exhausted: Omit<BudgetExhausted, 'skipped'>) => void;
  /** Called if the listing is ever out of publicKey order (it then pages with overlap). */
  readonly onOrderBroken?: (page: number) => void;
  /** @default Date.now */
  readonly clock?: () => number;
}

/**
 * Sweeps one organization as a pipeline: the key listing (anchored on publicKey, tolerant of keys inserted and
 * deleted meanwhile) → access lists read a chunk at a time at bounded concurrency → the pure planner → a batch
 * executed whenever one is due, each write rechecked (prunes) and reserved in the durable budget first. One
 * progress object feeds the summary, the progress events and the continuation. Memory holds one chunk of keys
 * and at most one batch of actions, never the org.
 *
 * A sweep that runs out of time returns a `continuation` at the last position whose work is finished; when the
 * deadline deferred some planned actions, that is where their batch began, so the next invocation reads those
 * keys again and plans what is left. A refused reservation ends the run's writes (no continuation).
 */
export async function sweepOrg(options: SweepOptions): Promise<SweepSummary> {
  const clock = options.clock ?? Date.now;
  const { client, orgId, policy, now, dryRun } = options;
  const pageSize = options.pageSize ?? 500;
  const marginMs = options.marginMs ?? 30_000;
  const from = positionOf(options.cursor);
  const progress = new SweepProgress({
    orgId,
    runId: options.cursor?.runId ?? randomUUID(),
    dryRun,
    started: clock(),
    ...(from === undefined ? {} : { from }),
    findingsLimit: options.findingsLimit ?? 200,
    resultsLimit: options.resultsLimit ?? Number.POSITIVE_INFINITY,
  });
  // In execute mode the executor refuses to start an action EXECUTE_MARGIN_MS before the deadline: the margin
  // left for executing the last batch comes on top of that, or a short invocation would defer all of it.
  const scanDeadline =
    options.deadline === undefined ? Number.POSITIVE_INFINITY : options.deadline - marginMs - (dryRun ? 0 : EXECUTE_MARGIN_MS);
  const timeUp = () => clock() >= scanDeadline;
  const call = options.deadline === undefined ? {} : { deadline: options.deadline };
  const selfKey = options.selfPublicKey === undefined ? {} : { selfPublicKey: options.selfPublicKey };
  const maxKeys = options.maxKeys ?? Number.POSITIVE_INFINITY;
  const scanConcurrency = options.scanConcurrency ?? 32;
  const chunkSize = 2 * scanConcurrency;
  const executeBatch = options.executeBatch ?? 250;
  const budget = options.budget ?? createMemoryState().budget;

  const listing = new KeyListing(client, orgId, {
    ...call,
    pageSize,
    ...(from === undefined ? {} : { from }),
    ...(options.onOrderBroken === undefined ? {} : { onOrderBroken: options.onOrderBroken }),
    onPage: (page) => {
      progress.totalKeys = page.totalCount ?? progress.totalKeys;
    },
  });

  const reserve = async (action: Action): Promise<string | undefined> => {
    const limit = policy.maxWritesPerOrgPerDay;
    if (progress.budgetExhausted === undefined) {
      const reservation = await budget.reserve({ orgId, at: now, limit, kind: action.kind });
      if (reservation.granted) return undefined;
      // Writers of one phase reserve concurrently and may be refused together: the first refusal records it.
      if (progress.budgetExhausted === undefined) {
        progress.budgetExhausted = { limit: reservation.limit, used: reservation.used, skipped: 0 };
        options.onBudgetExhausted?.({ limit: reservation.limit, used: reservation.used });
      }
    }
    const exhausted = progress.budgetExhausted;
    progress.budgetExhausted = { ...exhausted, skipped: exhausted.skipped + 1 };
    return `${BUDGET_REFUSAL_PREFIX}: ${exhausted.used} of ${exhausted.limit} writes for this org today (maxWritesPerOrgPerDay)`;
  };
  // Once the budget is spent every write is refused: re-reading an access list for one would be a wasted request.
  const recheck = (action: Action) =>
    action.kind === 'pruneAccessListEntry' && progress.budgetExhausted === undefined
      ? recheckPruneOnline(client, action, { policy, now, ...selfKey }, call)
      : Promise.resolve(undefined);

  /** How long one action of the last batch took (paced), once a batch has run: sizes the next batches. */
  let msPerAction: number | undefined;
  /**
   * A batch runs when it is full, or earlier when at the pace measured so far it would take more than a quarter
   * of the margin: whatever is pending when time is up must still execute within the margin.
   */
  const batchIsDue = (pending: number) =>
    pending >= executeBatch ||
    (options.deadline !== undefined && msPerAction !== undefined && pending * msPerAction * 4 >= marginMs);

  const batch: Action[] = [];
  /** The position after the last key planned into the batch: committed once the batch ran without deferrals. */
  let batchEnd: ListingPosition | undefined;
  /** Executes the batch; `false` when the deadline deferred some of it (the committed position stays put). */
  const runBatch = async (): Promise<boolean> => {
    if (batch.length > 0) {
      const batchStarted = clock();
      const executed = await executeActions(batch.splice(0), {
        client,
        dryRun,
        concurrency: options.executeConcurrency ?? 32,
        marginMs: EXECUTE_MARGIN_MS,
        ...call,
        recheck,
        reserve,
        clock,
        onResult: (result) => {
          progress.addResult(result);
          options.onResult?.(result);
        },
      });
      if (!dryRun) msPerAction = (clock() - batchStarted) / executed.length;
      if (executed.some(isDeferred)) return false;
    }
    if (batchEnd !== undefined) progress.committed = batchEnd;
    return true;
  };

  const readContext: ReadContext | undefined =
    options.keyState === undefined
      ? undefined
      : { policyDigest: policyDigest(policy), nowMs: now.getTime(), fullReadEveryDays: policy.fullReadEveryDays };
  /** The keys of a chunk whose access lists this run reads: all of them, unless the sweep is incremental. */
  const selectReads = async (chunk: readonly ApiKey[]): Promise<readonly ApiKey[]> => {
    if (options.keyState === undefined || readContext === undefined || chunk.length === 0) return chunk;
    const states = await options.keyState.get(orgId, chunk.map((key) => key.id));
    return chunk.filter((key) => readReason(key, states.get(key.id), readContext) !== 'skip');
  };

  const statePuts: Promise<void>[] = [];
  let stateFailure: PromiseRejectedResult | undefined;
  const keys = listing[Symbol.asyncIterator]();
  let pulled = 0;
  let listingDone = false;
  let stopped = false;
  try {
    for (;;) {
      const chunk: ApiKey[] = [];
      while (chunk.length < chunkSize && pulled < maxKeys && !timeUp()) {
        const next = await keys.next();
        if (next.done) {
          listingDone = true;
          break;
        }
        chunk.push(next.value);
        pulled += 1;
      }
      const toRead = await selectReads(chunk);
      const read = await readAccessLists(client, orgId, toRead, { concurrency: scanConcurrency, mayStart: () => !timeUp(), call });
      // The chunk's finished prefix: every key before the first one whose read did not start.
      const firstUnread = toRead[read.visited];
      const visited = firstUnread === undefined ? chunk.length : chunk.indexOf(firstUnread);
      progress.keysSkipped += visited - read.visited;
      if (options.keyState !== undefined && readContext !== undefined && read.scanned.length > 0) {
        // Recorded while the scan goes on (awaited before the sweep returns): nothing in this run reads it back.
        const context = readContext;
        const put = options.keyState.put(orgId, read.scanned.map((item) => keyStateOf(item.key, nextDue(item, policy, now, selfKey), context)));
        // Observed at once (a run cut short never reaches the settling below); its failure is reported there.
        put.catch(() => undefined);
        statePuts.push(put);
      }
      const chunkPlan = plan({ orgId, keys: read.scanned, ...selfKey }, policy, now);
      progress.keysScanned += chunkPlan.keysScanned;
      progress.entriesScanned += chunkPlan.entriesScanned;
      for (const finding of chunkPlan.findings) {
        progress.addFinding(finding);
        options.onFinding?.(finding);
      }
      batch.push(...chunkPlan.actions);
      const lastVisited = chunk[visited - 1];
      if (lastVisited !== undefined) batchEnd = listing.positionAfter(lastVisited);
      options.onProgress?.(progress.event(batch.length));
      if (visited < chunk.length) {
        listingDone = false;
        break;
      }
      if (listingDone || timeUp() || pulled >= maxKeys) break;
      if (batchIsDue(batch.length) && (!(await runBatch()) || progress.budgetExhausted !== undefined)) {
        stopped = true;
        break;
      }
    }
    if (!stopped && !(await runBatch())) stopped = true;
  } finally {
    await keys.return?.();
    // Every state write settles before the sweep returns (or throws), so none is left unobserved.
    const settled = await Promise.allSettled(statePuts);
    stateFailure = settled.find((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
  }
  // A failed state write fails the sweep (the message is retried): the state is what makes the next one cheaper.
  if (stateFailure !== undefined) throw stateFailure.reason;
  const summaryAt = clock();
  if (progress.budgetExhausted !== undefined) return progress.summary({ complete: false }, summaryAt);
  if (listingDone && !stopped) return progress.summary({ complete: true }, summaryAt);
  return progress.summary({ complete: false, continue: true }, summaryAt);
}

/** The executor's own margin: it starts no action this close to the deadline (ExecuteOptions.marginMs). */
const EXECUTE_MARGIN_MS = 1_000;

function positionOf(cursor: SweepCursor | undefined): ListingPosition | undefined {
  if (cursor === undefined) return undefined;
  return { order: cursor.order, page: cursor.page, ...(cursor.after === undefined ? {} : { after: cursor.after }) };
}
