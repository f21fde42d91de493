import type { ChildTask, WorkerTarget } from './types.ts';

/** A DynamoDB table the child reaches over HTTP (dynalite in the parent, on 127.0.0.1). */
export interface StateTableTarget {
  readonly endpoint: string;
  readonly tableName: string;
}

/** One sweep by the command runner, at a chosen "now" and rate-limit share (issue 14's benchmarks). */
export interface IncrementalSweepTask {
  readonly kind: 'incremental-sweep';
  readonly target: WorkerTarget;
  readonly timeScale: number;
  readonly connections: number;
  /** `rateLimitShare`: the policy's, and the client's pacing share. */
  readonly share: number;
  /** The sweep's "now" (epoch ms): days pass between sweeps without waiting for them. */
  readonly nowMs: number;
  readonly dryRun: boolean;
  /** The state table: the write budget, and with `incremental` the next-due records. Absent: in-memory state. */
  readonly state?: StateTableTarget;
  /** Incremental (with the table's next-due records) or full. */
  readonly incremental: boolean;
}

/** Calls made to the state (counted in the child, by what was asked for). */
export interface StateUse {
  /** `keys.get` calls and the items they asked for and found. */
  readonly keyGets: number;
  readonly keyItemsAsked: number;
  readonly keyItemsFound: number;
  /** `keys.put` calls and the items they wrote. */
  readonly keyPuts: number;
  readonly keyItemsWritten: number;
  /** Write-budget reservations (one conditional update each). */
  readonly reservations: number;
  /**
   * Time spent in `keys.get` and `keys.put`, summed, ms. The sweep awaits each in turn between its chunks of
   * keys, so both lie on its critical path.
   */
  readonly keyGetMs: number;
  readonly keyPutMs: number;
}

export interface IncrementalSweepReport {
  readonly kind: 'incremental-sweep';
  /** Wall time of the sweep, ms (process start-up and module load excluded). */
  readonly wallMs: number;
  readonly keysScanned: number;
  readonly keysSkipped: number;
  readonly entriesScanned: number;
  readonly actionsTotal: number;
  readonly outcomes: Readonly<Record<string, number>>;
  readonly findingsTotal: number;
  readonly complete: boolean;
  readonly state: StateUse;
  /** CPU time (user + system) of the child over the sweep, ms. */
  readonly cpuMs: number;
  readonly maxRssKiB: number;
}

/** What `bench/incremental-child.ts` runs: the sweep above, or the revocation task of `bench/types.ts`. */
export type BenchChildTask = IncrementalSweepTask | Extract<ChildTask, { kind: 'revoke-key' }>;

export interface RevokeKeyReport {
  readonly kind: 'revoke-key';
  readonly wallMs: number;
  readonly failures: number;
  /** CPU time (user + system) of the child over the revocation, building the runtime included, ms. */
  readonly cpuMs: number;
  readonly maxRssKiB: number;
}

export type BenchChildReport = IncrementalSweepReport | RevokeKeyReport;
