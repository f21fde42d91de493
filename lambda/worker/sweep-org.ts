import { randomUUID } from 'node:crypto';
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
  /** Stop scanning this long before the deadline, leaving time to execute and to enqueue a continuation. @default 30_000 */
  readonly marginMs?: number;
  /** Keys per listing page. @default 500 */
  readonly pageSize?: number;
  /** Access-list listings in flight at once. Pacing, not this, keeps the rate under Atlas's limit. @default 16 */
  readonly scanConcurrency?: number;
  /** Write actions in flight at once. @default 4 */
  readonly executeConcurrency?: number;
  /** Execute once this many actions are planned, then continue scanning. @default 250 */
  readonly executeBatch?: number;
  /** Stop after visiting this many keys in this invocation and return a continuation (tests, operator limits). */
  readonly maxKeys?: number;
  /** Findings kept in the summary (all are reported through `onFinding`). @default 200 */
  readonly findingsLimit?: number;
  readonly onProgress?: (progress: SweepProgress) => void;
  readonly onResult?: (result: ActionResult) => void;
  readonly onFinding?: (finding: Finding) => void;
  readonly onCapTrip?: (trip: NonNullable<SweepSummary['capTripped']>) => void;
  /** @default Date.now */
  readonly clock?: () => number;
}

/**
 * Sweeps one organization: streams its keys page by page, reads each key's access list, plans with the pure
 * planner, and executes. Memory holds one page of keys and at most one batch of actions, never the org.
 *
 * The cursor counts keys still present: org keys deleted in a batch shift the listing, so the next batch
 * starts `deleted` places earlier. A sweep that runs out of time returns a `continuation` instead of
 * finishing; every key is visited exactly once across the run (if the listing does not change under us).
 */
export async function sweepOrg(options: SweepOptions): Promise<SweepSummary> {
  const clock = options.clock ?? Date.now;
  const started = clock();
  const pageSize = options.pageSize ?? 500;
  const runId = options.cursor?.runId ?? randomUUID();
  const scanDeadline =
    options.deadline === undefined ? Number.POSITIVE_INFINITY : options.deadline - (options.marginMs ?? 30_000);
  let startedKeys = 0;
  const maxKeys = options.maxKeys ?? Number.POSITIVE_INFINITY;
  const timeUp = () => clock() >= scanDeadline;
  /** Called once before each key's scan starts: claims a place in this invocation's key budget. */
  const mayStartKey = () => !timeUp() && startedKeys++ < maxKeys;
  const call = options.deadline === undefined ? {} : { deadline: options.deadline };

  let offset = options.cursor?.offset ?? 0;
  let writes = options.cursor?.writes ?? 0;
  let keysScanned = 0;
  let entriesScanned = 0;
  let findingsTotal = 0;
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
    findings,
    findingsTotal,
    durationMs: clock() - started,
    ...rest,
  });

  for (;;) {
    const batch: Action[] = [];
    let batchKeys = 0;
    let batchVanished = 0;
    let listingDone = false;
    let outOfTime = false;
    let skip = offset % pageSize;

    const pages = options.client.listOrgKeys(options.orgId, {
      ...call,
      startPage: Math.floor(offset / pageSize) + 1,
      itemsPerPage: pageSize,
    });
    for await (const page of pages) {
      totalKeys = page.totalCount ?? totalKeys;
      const keys = page.results.slice(skip);
      skip = 0;
      const { scanned, visited, vanished } = await scanAccessLists(keys, options, mayStartKey, call);
      outOfTime = visited < keys.length;
      batchVanished += vanished;

      const pagePlan = plan(
        {
          orgId: options.orgId,
          keys: scanned,
          ...(options.selfPublicKey === undefined ? {} : { selfPublicKey: options.selfPublicKey }),
          priorWrites: writes + batch.length,
        },
        options.policy,
        options.now,
      );
      keysScanned += pagePlan.keysScanned;
      entriesScanned += pagePlan.entriesScanned;
      for (const finding of pagePlan.findings) {
        findingsTotal += 1;
        if (findings.length < (options.findingsLimit ?? 200)) findings.push(finding);
        options.onFinding?.(finding);
      }
      if (pagePlan.capTripped) {
        // Nothing of this batch is executed; what earlier batches of the run did stands.
        const trip = { ...pagePlan.capTripped, planned: batch.length + pagePlan.capTripped.planned, priorWrites: writes };
        options.onCapTrip?.(trip);
        return summary({ complete: false, capTripped: trip });
      }
      batch.push(...pagePlan.actions);
      batchKeys += visited;
      options.onProgress?.({
        orgId: options.orgId,
        keysScanned,
        entriesScanned,
        actionsPlanned: results.length + batch.length,
        ...(totalKeys === undefined ? {} : { totalKeys }),
      });
      listingDone = !page.hasNext;
      if (outOfTime || listingDone || batch.length >= (options.executeBatch ?? 250)) break;
    }
    if (!outOfTime && !listingDone && batchKeys === 0) listingDone = true; // an empty page past the end

    const executed = await executeActions(batch, {
      client: options.client,
      dryRun: options.dryRun,
      concurrency: options.executeConcurrency ?? 32,
      ...call,
      ...(options.onResult === undefined ? {} : { onResult: options.onResult }),
      clock,
    });
    results.push(...executed);
    const deleted = executed.filter(
      (r) => r.action.kind === 'deleteOrgKey' && (r.outcome === 'done' || r.outcome === 'already-absent'),
    ).length;
    const deferred = executed.filter((r) => r.outcome === 'skipped' && !options.dryRun).length;
    writes += executed.length - deferred;
    offset += batchKeys - deleted - batchVanished;

    if (outOfTime || deferred > 0) {
      return summary({ complete: false, continuation: { offset, writes, runId } });
    }
    if (listingDone) return summary({ complete: true });
    if (timeUp() || startedKeys >= maxKeys) return summary({ complete: false, continuation: { offset, writes, runId } });
  }
}

const VANISHED = Symbol('vanished');

/**
 * Reads the access lists of `keys` (bounded concurrency). Stops starting new reads when time is up and keeps
 * the longest fully-read prefix (`visited` keys), so that the cursor never skips a key. A key deleted by
 * someone else since the listing (404) is dropped and counted as `vanished`: it no longer takes a place.
 */
async function scanAccessLists(
  keys: readonly ApiKey[],
  options: SweepOptions,
  mayStart: () => boolean,
  call: { deadline?: number },
): Promise<{ scanned: KeyInventory[]; visited: number; vanished: number }> {
  const read = await mapConcurrent(keys, options.scanConcurrency ?? 32, async (key): Promise<KeyInventory | typeof VANISHED | undefined> => {
    if (!mayStart()) return undefined;
    try {
      const accessList = await collectPages(options.client.listAccessList(options.orgId, key.id, call));
      return { key, accessList } satisfies KeyInventory;
    } catch (error) {
      if (statusOf(error) === 404) return VANISHED;
      throw error;
    }
  });
  const firstMissing = read.indexOf(undefined);
  const prefix = firstMissing === -1 ? read : read.slice(0, firstMissing);
  const scanned = prefix.filter((item) => typeof item === 'object') as KeyInventory[];
  return { scanned, visited: prefix.length, vanished: prefix.length - scanned.length };
}
