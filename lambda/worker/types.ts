import type { Action, Finding } from '../policy/types.ts';

/** How one action ended. `skipped` always carries why (dry run, deadline, protected, ...). */
export type Outcome = 'done' | 'already-absent' | 'skipped' | 'failed';

export interface ActionResult {
  readonly action: Action;
  readonly outcome: Outcome;
  /** Why it was skipped, or the error's one-line summary when it failed. */
  readonly detail?: string;
  /** Structured error (status, errorCode, ...) when it failed; never holds credentials. */
  readonly error?: Record<string, unknown>;
  readonly durationMs: number;
}

/**
 * A point where a long sweep stopped and the next invocation resumes: the listing position after the last key
 * whose work is finished. Writes are not counted here: the durable write budget counts them, per org and day.
 */
export interface SweepCursor {
  /** Correlates the invocations of one run in logs. */
  readonly runId: string;
  /** `sorted`: resume after the key `after` (publicKey). `unsorted`: the listing was out of order; resume at `page`. */
  readonly order: 'sorted' | 'unsorted';
  readonly after?: string;
  /** Listing page (1-based) to start from: a hint in sorted mode. */
  readonly page: number;
}

/** Why a sweep stopped writing: the org's write budget for the day is spent. */
export interface BudgetExhausted {
  readonly limit: number;
  readonly used: number;
  /** Planned actions left unsent because of it. */
  readonly skipped: number;
}

export interface SweepSummary {
  readonly orgId: string;
  readonly runId: string;
  readonly dryRun: boolean;
  readonly keysScanned: number;
  /** Keys an incremental sweep listed but did not read (not due); 0 on a full sweep. */
  readonly keysSkipped: number;
  readonly entriesScanned: number;
  /** Results of the actions, at most `resultsLimit` of them besides the failed and deferred ones (all kept). */
  readonly results: readonly ActionResult[];
  /** Actions executed (or skipped in a dry run) in this invocation, whether or not `results` kept them. */
  readonly actionsTotal: number;
  /** Findings (no write), at most `findingsLimit` kept; `findingsTotal` counts all. */
  readonly findings: readonly Finding[];
  readonly findingsTotal: number;
  /** Set when the org's write budget for the day ran out: every later action of the run was skipped. */
  readonly budgetExhausted?: BudgetExhausted;
  /** Set when the sweep stopped before the end of the org (deadline); resume from here. */
  readonly continuation?: SweepCursor;
  /** True when the whole org was visited (in this invocation or, with a cursor, across the run). */
  readonly complete: boolean;
  readonly durationMs: number;
}

/** Progress of a sweep, reported after every page of keys. */
export interface SweepProgress {
  readonly orgId: string;
  readonly keysScanned: number;
  readonly entriesScanned: number;
  readonly actionsPlanned: number;
  readonly totalKeys?: number;
}
