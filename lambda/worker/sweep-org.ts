import { randomUUID } from 'node:crypto';
import { AtlasDeadlineError } from '../atlas/errors.ts';
import type { ApiKey, AtlasClient } from '../atlas/types.ts';
import { plan } from '../policy/plan.ts';
import type { Policy } from '../policy/schema.ts';
import type { Action, Finding, KeyInventory } from '../policy/types.ts';
import { collectPages } from './collect-pages.ts';
import { statusOf } from './describe-error.ts';
import { executeActions } from './execute-actions.ts';
import { mapConcurrent } from './map-concurrent.ts';
import type { ActionResult, SweepCursor, SweepProgress, SweepSummary } from './types.ts';

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
  readonly onProgress?: (progress: SweepProgress) => void;
  readonly onResult?: (result: ActionResult) => void;
  readonly onFinding?: (finding: Finding) => void;
  readonly onCapTrip?: (trip: NonNullable<SweepSummary['capTripped']>) => void;
  /** @default Date.now */
  readonly clock?: () => number;
}

/**
 * Sweeps one organization: streams its keys page by page, reads each key's access lists a chunk at a time,
 * plans with the pure planner, and executes a batch whenever one is due. Memory holds one page of keys and at
 * most one batch of actions, never the org (and, with `resultsLimit`, a bounded number of results).
 *
 * The cursor counts keys still present: org keys deleted in a batch shift the listing, so the next batch
 * starts `deleted` places earlier. A sweep that runs out of time returns a `continuation` instead of
 * finishing; every key is visited exactly once across the run (if the listing does not change under us), except
 * when the deadline deferred some planned actions: the continuation then starts where the deferring batch's
 * listing began, so that those keys are read and planned again (what was done meanwhile is gone from Atlas).
 */
export async function sweepOrg(options: SweepOptions): Promise<SweepSummary> {
  const clock = options.clock ?? Date.now;
  const started = clock();
  const pageSize = options.pageSize ?? 500;
  const runId = options.cursor?.runId ?? randomUUID();
  const marginMs = options.marginMs ?? 30_000;
  // In execute mode the executor refuses to start an action EXECUTE_MARGIN_MS before the deadline: the margin
  // left for executing the last batch comes on top of that, or a short invocation would defer all of it.
  const scanDeadline =
    options.deadline === undefined
      ? Number.POSITIVE_INFINITY
      : options.deadline - marginMs - (options.dryRun ? 0 : EXECUTE_MARGIN_MS);
  let startedKeys = 0;
  const maxKeys = options.maxKeys ?? Number.POSITIVE_INFINITY;
  const timeUp = () => clock() >= scanDeadline;
  /** Called once before each key's scan starts: claims a place in this invocation's key budget. */
  const mayStartKey = () => !timeUp() && startedKeys++ < maxKeys;
  const call = options.deadline === undefined ? {} : { deadline: options.deadline };

  const resultsLimit = options.resultsLimit ?? Number.POSITIVE_INFINITY;
  const scanConcurrency = options.scanConcurrency ?? 32;
  let offset = options.cursor?.offset ?? 0;
  let writes = options.cursor?.writes ?? 0;
  let keysScanned = 0;
  let entriesScanned = 0;
  let findingsTotal = 0;
  let actionsTotal = 0;
  let resultsKept = 0;
  let totalKeys: number | undefined;
  const results: ActionResult[] = [];
  const findings: Finding[] = [];

  const summary = (rest: Partial<SweepSummary> & { complete: boolean }): SweepSummary => ({
    orgId: options.orgId,
    runId,
    dryRun: options.dryRun,
    keysScanned,
    entriesScanned,
    results,
    actionsTotal,
    findings,
    findingsTotal,
    durationMs: clock() - started,
    ...rest,
  });

  const executeBatch = options.executeBatch ?? 250;
  const chunkSize = 2 * scanConcurrency;
  /** How long one action of the last batch took (paced), once a batch has run: sizes the next batches. */
  let msPerAction: number | undefined;
  /**
   * A batch runs when it is full, or earlier when at the pace measured so far it would take more than a quarter
   * of the margin: whatever is pending when time is up (this, plus one chunk's worth) must still execute within
   * the margin, even if the pace slows. At Atlas's real refill rate a full batch of 250 takes a minute, the
   * whole of the Lambda runtime's default margin.
   */
  const batchIsDue = (pending: number) =>
    pending >= executeBatch ||
    (options.deadline !== undefined && msPerAction !== undefined && pending * msPerAction * 4 >= marginMs);

  for (;;) {
    const batch: Action[] = [];
    let batchKeys = 0;
    let batchVanished = 0;
    let deleted = 0;
    let listingDone = false;
    let outOfTime = false;
    let skip = offset % pageSize;

    /** Executes what is planned so far; `false` when some of it had to be deferred (deadline). */
    const runBatch = async (): Promise<boolean> => {
      if (batch.length === 0) return true;
      const batchStarted = clock();
      const executed = await executeActions(batch.splice(0), {
        client: options.client,
        dryRun: options.dryRun,
        concurrency: options.executeConcurrency ?? 32,
        marginMs: EXECUTE_MARGIN_MS,
        ...call,
        ...(options.onResult === undefined ? {} : { onResult: options.onResult }),
        clock,
      });
      actionsTotal += executed.length;
      if (!options.dryRun) msPerAction = (clock() - batchStarted) / executed.length;
      let deferred = 0;
      for (const result of executed) {
        if (result.action.kind === 'deleteOrgKey' && (result.outcome === 'done' || result.outcome === 'already-absent')) deleted += 1;
        const isDeferred = result.outcome === 'skipped' && !options.dryRun;
        if (isDeferred) deferred += 1;
        // Failed and deferred results decide what happens to the run (retry, no continuation): always kept.
        if (result.outcome === 'failed' || isDeferred) results.push(result);
        else if (resultsKept < resultsLimit) {
          resultsKept += 1;
          results.push(result);
        }
      }
      writes += executed.length - deferred;
      return deferred === 0;
    };

    const pages = options.client.listOrgKeys(options.orgId, {
      ...call,
      startPage: Math.floor(offset / pageSize) + 1,
      itemsPerPage: pageSize,
    });
    listing: for await (const page of pages) {
      totalKeys = page.totalCount ?? totalKeys;
      const keys = page.results.slice(skip);
      skip = 0;
      // A page is read in chunks, and planned actions run as soon as a batch is full: the batch left when time
      // is up stays small enough to execute within the margin, even at Atlas's real refill rate.
      for (let at = 0; at < keys.length; at += chunkSize) {
        const chunk = keys.slice(at, at + chunkSize);
        const { scanned, visited, vanished } = await scanAccessLists(chunk, options, scanConcurrency, mayStartKey, call);
        outOfTime = visited < chunk.length;
        batchVanished += vanished;

        const chunkPlan = plan(
          {
            orgId: options.orgId,
            keys: scanned,
            ...(options.selfPublicKey === undefined ? {} : { selfPublicKey: options.selfPublicKey }),
            priorWrites: writes + batch.length,
          },
          options.policy,
          options.now,
        );
        keysScanned += chunkPlan.keysScanned;
        entriesScanned += chunkPlan.entriesScanned;
        for (const finding of chunkPlan.findings) {
          findingsTotal += 1;
          if (findings.length < (options.findingsLimit ?? 200)) findings.push(finding);
          options.onFinding?.(finding);
        }
        if (chunkPlan.capTripped) {
          // Nothing of this batch is executed; what earlier batches of the run did stands.
          const trip = { ...chunkPlan.capTripped, planned: batch.length + chunkPlan.capTripped.planned, priorWrites: writes };
          options.onCapTrip?.(trip);
          return summary({ complete: false, capTripped: trip });
        }
        batch.push(...chunkPlan.actions);
        batchKeys += visited;
        options.onProgress?.({
          orgId: options.orgId,
          keysScanned,
          entriesScanned,
          actionsPlanned: actionsTotal + batch.length,
          ...(totalKeys === undefined ? {} : { totalKeys }),
        });
        if (outOfTime) break listing;
        if (batchIsDue(batch.length) && !(await runBatch())) {
          // Deferred actions are planned again by the continuation: it re-reads this listing's keys.
          return summary({ complete: false, continuation: { offset, writes, runId } });
        }
      }
      listingDone = !page.hasNext;
      // Org keys deleted since this listing began shift the pages after it: list again from the new offset.
      if (listingDone || deleted > 0 || startedKeys >= maxKeys) break;
    }
    if (!outOfTime && !listingDone && batchKeys === 0) listingDone = true; // an empty page past the end

    if (!(await runBatch())) {
      // As above: the continuation re-reads this listing's keys and plans the deferred actions again.
      return summary({ complete: false, continuation: { offset, writes, runId } });
    }
    offset += batchKeys - deleted - batchVanished;

    if (outOfTime) return summary({ complete: false, continuation: { offset, writes, runId } });
    if (listingDone) return summary({ complete: true });
    if (timeUp() || startedKeys >= maxKeys) return summary({ complete: false, continuation: { offset, writes, runId } });
  }
}

const VANISHED = Symbol('vanished');

/** The executor's own margin: it starts no action this close to the deadline (ExecuteOptions.marginMs). */
const EXECUTE_MARGIN_MS = 1_000;

/**
 * Reads the access lists of `keys` (bounded concurrency). Stops starting new reads when time is up and keeps
 * the longest fully-read prefix (`visited` keys), so that the cursor never skips a key; a read cut off by the
 * deadline counts as not started. A key deleted by
 * someone else since the listing (404) is dropped and counted as `vanished`: it no longer takes a place.
 */
async function scanAccessLists(
  keys: readonly ApiKey[],
  options: SweepOptions,
  concurrency: number,
  mayStart: () => boolean,
  call: { deadline?: number },
): Promise<{ scanned: KeyInventory[]; visited: number; vanished: number }> {
  const read = await mapConcurrent(keys, concurrency, async (key): Promise<KeyInventory | typeof VANISHED | undefined> => {
    if (!mayStart()) return undefined;
    try {
      const accessList = await collectPages(options.client.listAccessList(options.orgId, key.id, call));
      return { key, accessList } satisfies KeyInventory;
    } catch (error) {
      if (statusOf(error) === 404) return VANISHED;
      // No token before the deadline (pacing): this key was not read; the continuation starts with it.
      if (error instanceof AtlasDeadlineError) return undefined;
      throw error;
    }
  });
  const firstMissing = read.indexOf(undefined);
  const prefix = firstMissing === -1 ? read : read.slice(0, firstMissing);
  const scanned = prefix.filter((item) => typeof item === 'object') as KeyInventory[];
  return { scanned, visited: prefix.length, vanished: prefix.length - scanned.length };
}
