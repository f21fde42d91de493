/** What the parent asks a benchmark child process to do (sent as JSON in argv[2]). */
export interface WorkerTarget {
  readonly baseUrl: string;
  readonly orgId: string;
  readonly publicKey: string;
  readonly privateKey: string;
}

export type ChildTask =
  | {
      readonly kind: 'our-sweep';
      readonly target: WorkerTarget;
      /** Client pacing scaled like the simulator's buckets; `false` when the simulator's rate limit is off. */
      readonly pacing: boolean;
      readonly timeScale: number;
      readonly connections?: number;
      /** Run through the command runner with this `resultsLimit` instead of through the handler. */
      readonly resultsLimit?: number;
      /** Policy fields over the benchmark's policy (`bench/scenario.ts`). */
      readonly policy?: Readonly<Record<string, unknown>>;
    }
  | {
      readonly kind: 'naive-sweep';
      readonly target: WorkerTarget;
      readonly timeScale: number;
      /** Visit only this many keys of the listing (a bounded prefix, for extrapolation). */
      readonly maxKeys?: number;
    }
  | {
      readonly kind: 'revoke-key';
      readonly target: WorkerTarget;
      readonly timeScale: number;
      /** The leaked key's public key. */
      readonly leakedPublicKey: string;
    };

/** What a child reports back (IPC). */
export interface ChildReport {
  readonly kind: ChildTask['kind'];
  /** Wall time of the measured work, ms (process start-up and module load excluded). */
  readonly wallMs: number;
  /** process.resourceUsage().maxRSS at the end, in KiB. */
  readonly maxRssKiB: number;
  /** RSS once the modules were loaded, before the measured work, in KiB. */
  readonly startRssKiB: number;
  /** SQS batch item failures (handler runs). */
  readonly failures?: number;
  /** Naive sweep figures. */
  readonly listMs?: number;
  readonly listPages?: number;
  readonly keysListed?: number;
  readonly keysVisited?: number;
  readonly actions?: number;
  readonly outcomes?: Readonly<Record<string, number>>;
  readonly rateLimited?: number;
}
