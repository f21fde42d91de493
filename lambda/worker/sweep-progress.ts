import type { Finding } from '../policy/types.ts';
import type { ListingPosition } from './key-listing.ts';
import type { ActionResult, BudgetExhausted, SweepCursor, SweepProgress as ProgressEvent, SweepSummary } from './types.ts';

/** Is this a deferred action (the deadline left it unsent)? Those are planned again by a continuation. */
export function isDeferred(result: ActionResult): boolean {
  return result.outcome === 'skipped' && result.detail?.startsWith('deadline') === true;
}

/** The detail of an action the org's write budget refused (sweeps and explicit commands alike). */
export const BUDGET_REFUSAL_PREFIX = 'write budget exhausted';

/** Did the org's write budget refuse this action? */
export function isBudgetRefused(result: ActionResult): boolean {
  return result.outcome === 'skipped' && result.detail?.startsWith(BUDGET_REFUSAL_PREFIX) === true;
}

/**
 * The one progress object of a sweep: the stages update it, and the summary, the continuation cursor, the
 * progress events and the metrics all read it. Keeps at most `findingsLimit` findings and `resultsLimit` results
 * (failed and deferred results always), so memory stays flat however large the org.
 */
export class SweepProgress {
  keysScanned = 0;
  /** Keys an incremental sweep listed but did not need to read (nothing could be due). */
  keysSkipped = 0;
  entriesScanned = 0;
  findingsTotal = 0;
  actionsTotal = 0;
  totalKeys: number | undefined;
  budgetExhausted: BudgetExhausted | undefined;
  /** Where every key before is finished (planned, and its actions executed): the continuation starts here. */
  committed: ListingPosition | undefined;
  readonly results: ActionResult[] = [];
  readonly findings: Finding[] = [];
  private resultsKept = 0;

  constructor(
    private readonly run: {
      readonly orgId: string;
      readonly runId: string;
      readonly dryRun: boolean;
      readonly started: number;
      readonly from?: ListingPosition;
      readonly findingsLimit: number;
      readonly resultsLimit: number;
    },
  ) {
    this.committed = run.from;
  }

  addFinding(finding: Finding): void {
    this.findingsTotal += 1;
    if (this.findings.length < this.run.findingsLimit) this.findings.push(finding);
  }

  addResult(result: ActionResult): void {
    this.actionsTotal += 1;
    if (result.outcome === 'failed' || isDeferred(result)) this.results.push(result);
    else if (this.resultsKept < this.run.resultsLimit) {
      this.resultsKept += 1;
      this.results.push(result);
    }
  }

  event(actionsPending: number): ProgressEvent {
    return {
      orgId: this.run.orgId,
      keysScanned: this.keysScanned,
      entriesScanned: this.entriesScanned,
      actionsPlanned: this.actionsTotal + actionsPending,
      ...(this.totalKeys === undefined ? {} : { totalKeys: this.totalKeys }),
    };
  }

  /** The cursor a continuation resumes from: the committed position. */
  cursor(): SweepCursor {
    const at = this.committed ?? { order: 'sorted' as const, page: 1 };
    return { runId: this.run.runId, order: at.order, page: at.page, ...(at.after === undefined ? {} : { after: at.after }) };
  }

  summary(end: { complete: boolean; continue?: boolean }, now: number): SweepSummary {
    return {
      orgId: this.run.orgId,
      runId: this.run.runId,
      dryRun: this.run.dryRun,
      keysScanned: this.keysScanned,
      keysSkipped: this.keysSkipped,
      entriesScanned: this.entriesScanned,
      results: this.results,
      actionsTotal: this.actionsTotal,
      findings: this.findings,
      findingsTotal: this.findingsTotal,
      complete: end.complete,
      ...(this.budgetExhausted === undefined ? {} : { budgetExhausted: this.budgetExhausted }),
      ...(end.continue ? { continuation: this.cursor() } : {}),
      durationMs: now - this.run.started,
    };
  }
}
