import { DEFAULT_PACING } from '../constants.ts';
import type { ClientEvent, PacingOptions } from '../types.ts';
import { sleep } from '../util/abortable.ts';
import { bucketForPath } from './bucket-for-path.ts';
import type { RateLimitHeaders } from './parse-rate-limit-headers.ts';
import { TokenBucket } from './token-bucket.ts';

/** A granted token. `observe` or `release` it exactly once. */
export interface PaceTicket {
  /** The response arrived: adopt the server's counters, if it sent any. */
  observe(headers: RateLimitHeaders, status: number): void;
  /** No response (network error, abort). */
  release(): void;
}

export interface Pacer {
  /**
   * Waits for a token of the path's bucket. Throws `deadlineExceeded()` rather than wait past `deadline`.
   */
  acquire(
    path: string,
    wait: { deadline: number | undefined; signal: AbortSignal | undefined; deadlineExceeded: (waitMs: number) => Error },
  ): Promise<PaceTicket>;
}

export interface PacerOptions {
  readonly origin: string;
  readonly pacing: PacingOptions;
  readonly now: () => number;
  readonly onEvent?: (event: ClientEvent) => void;
}

/** Held back from the server's `RateLimit-Remaining`. */
const SAFETY_TOKENS = 1;

const NO_TICKET: PaceTicket = { observe() {}, release() {} };

/**
 * Client-side pacing shaped like Atlas's token buckets: one bucket per (origin, org) for its API keys, one for its reads, and one per (origin, project).
 * Requests sent but not yet answered are counted, so adopting the server's `RateLimit-Remaining` does not hand
 * out tokens those requests are about to spend.
 */
export function createPacer(options: PacerOptions): Pacer {
  const settings = { ...DEFAULT_PACING, ...options.pacing };
  const periodMs = 60_000 / settings.timeScale;
  const buckets = new Map<string, { bucket: TokenBucket; inFlight: number }>();

  const entryFor = (key: string, size: 'org' | 'project') => {
    let entry = buckets.get(key);
    if (entry === undefined) {
      const bucket = new TokenBucket({
        capacity: size === 'org' ? settings.orgCapacity : settings.projectCapacity,
        refill: size === 'org' ? settings.orgRefillPerMinute : settings.projectRefillPerMinute,
        periodMs,
        now: options.now,
      });
      entry = { bucket, inFlight: 0 };
      buckets.set(key, entry);
    }
    return entry;
  };

  return {
    async acquire(path, wait) {
      const scope = bucketForPath(path);
      if (scope === undefined) return NO_TICKET;
      const key = `${options.origin} ${scope.kind}:${scope.id}`;
      const entry = entryFor(key, scope.size);
      // Re-check after each sleep: a response may have moved the bucket meanwhile (server headers).
      for (let waitMs = entry.bucket.tryTake(); waitMs > 0; waitMs = entry.bucket.tryTake()) {
        if (wait.deadline !== undefined && options.now() + waitMs > wait.deadline) throw wait.deadlineExceeded(waitMs);
        options.onEvent?.({ type: 'paced', bucket: key, waitMs });
        await sleep(waitMs, wait.signal);
      }
      entry.inFlight += 1;
      let done = false;
      const finish = () => {
        if (done) return false;
        done = true;
        entry.inFlight -= 1;
        return true;
      };
      return {
        observe(headers, status) {
          if (!finish()) return;
          if (headers.remaining !== undefined) {
            // One token of slack: requests spaced exactly at the refill rate can arrive bunched (network jitter).
            entry.bucket.setRemaining(headers.remaining - entry.inFlight - SAFETY_TOKENS, headers.limit);
          } else if (status === 429) {
            entry.bucket.setRemaining(Math.min(0, entry.bucket.tokens));
          }
        },
        release() {
          finish();
        },
      };
    },
  };
}
