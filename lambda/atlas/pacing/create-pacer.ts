import { DEFAULT_PACING } from '../constants.ts';
import type { ClientEvent, PacingOptions } from '../types.ts';
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

export interface PaceWait {
  readonly deadline: number | undefined;
  readonly signal: AbortSignal | undefined;
  readonly deadlineExceeded: (waitMs: number) => Error;
  /** Exempt from `PacingOptions.share` (the whole bucket may be used), and served before other waiters. */
  readonly urgent?: boolean;
}

export interface Pacer {
  /**
   * Waits for a token of the path's bucket, first come first served. Throws `deadlineExceeded()` rather than
   * wait past `deadline`, and the signal's reason when it fires while waiting.
   */
  acquire(path: string, wait: PaceWait): Promise<PaceTicket>;
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

interface Waiter {
  readonly wait: PaceWait;
  readonly urgent: boolean;
  readonly grant: () => void;
  readonly fail: (error: unknown) => void;
}

interface BucketEntry {
  /** The server's bucket as we see it (its `RateLimit-Remaining` adopted). */
  readonly bucket: TokenBucket;
  /**
   * With `share` < 1: our allowance, `share` of the capacity and of the refill rate. Not told by the server:
   * it bounds our own rate, whatever others leave over.
   */
  readonly own: TokenBucket | undefined;
  /** The configured capacity. */
  readonly capacity: number;
  readonly refillPerMs: number;
  /** Granted tokens whose response has not arrived yet. */
  inFlight: number;
  /** Callers waiting for a token, in arrival order. */
  readonly queue: Waiter[];
  /** The one timer that wakes the queue when the next token is due. */
  timer: NodeJS.Timeout | undefined;
  /** Tokens of capacity held back from a server that sends no `RateLimit-Remaining` (see `observe`). */
  heldBack: number;
}

/**
 * Client-side pacing shaped like Atlas's token buckets: one bucket per (origin, org) for its API keys, one for
 * its reads, and one per (origin, project).
 *
 * With `share` < 1 the bucket is shared with others (other workers, people, CI): a call that is not `urgent`
 * uses at most `share` of each bucket's refill rate (and of its capacity in a burst), and never takes the server's
 * bucket, as its `RateLimit-Remaining` shows it, below `(1 - share) × capacity`. Urgent calls (revocations) may
 * use the whole bucket and wait only behind other urgent calls.
 *
 * Callers that find the bucket empty queue up (FIFO) behind a single timer, so that a hundred waiting calls
 * cost one wake-up per token rather than a hundred, and calls are served in the order they asked (a sweep's
 * reads finish roughly in listing order). Requests sent but not yet answered are counted, so adopting the
 * server's `RateLimit-Remaining` does not hand out tokens those requests are about to spend.
 */
export function createPacer(options: PacerOptions): Pacer {
  const settings = { ...DEFAULT_PACING, ...options.pacing };
  const periodMs = 60_000 / settings.timeScale;
  const share = settings.share;
  const buckets = new Map<string, BucketEntry>();

  const entryFor = (key: string, size: 'org' | 'project'): BucketEntry => {
    let entry = buckets.get(key);
    if (entry === undefined) {
      const bucket = new TokenBucket({
        capacity: size === 'org' ? settings.orgCapacity : settings.projectCapacity,
        refill: size === 'org' ? settings.orgRefillPerMinute : settings.projectRefillPerMinute,
        periodMs,
        now: options.now,
      });
      const refill = size === 'org' ? settings.orgRefillPerMinute : settings.projectRefillPerMinute;
      // At least one token of allowance, or a small bucket with a small share would never grant anything.
      const own =
        share >= 1 ? undefined : new TokenBucket({ capacity: Math.max(1, share * bucket.capacity), refill: share * refill, periodMs, now: options.now });
      entry = { bucket, own, capacity: bucket.capacity, refillPerMs: refill / periodMs, inFlight: 0, queue: [], timer: undefined, heldBack: 0 };
      buckets.set(key, entry);
    }
    return entry;
  };

  /** Tokens of the server's bucket a call that is not urgent must leave there. */
  const reserve = (entry: BucketEntry): number =>
    entry.own === undefined ? 0 : Math.min((1 - share) * entry.bucket.capacity, entry.bucket.capacity - 1);

  const canTake = (entry: BucketEntry, urgent: boolean): boolean => {
    if (urgent || entry.own === undefined) return entry.bucket.tokens >= 1;
    return entry.bucket.tokens - reserve(entry) >= 1 && entry.own.tokens >= 1;
  };

  /** Takes a token (and, unless urgent, one of our allowance); only after `canTake` said yes. */
  const take = (entry: BucketEntry, urgent: boolean): void => {
    entry.bucket.tryTake();
    if (!urgent) entry.own?.tryTake();
  };

  /** Milliseconds until `count` more tokens are there for a call of this kind. */
  const msUntil = (entry: BucketEntry, urgent: boolean, count: number): number => {
    if (urgent || entry.own === undefined) return entry.bucket.msUntil(count);
    return Math.max(entry.bucket.msUntil(reserve(entry) + count), entry.own.msUntil(count));
  };

  /** One timer per bucket, due when the head of the queue can be served. */
  const schedule = (entry: BucketEntry): void => {
    if (entry.timer !== undefined) clearTimeout(entry.timer);
    const head = entry.queue[0];
    entry.timer = head === undefined ? undefined : setTimeout(pump, Math.max(1, msUntil(entry, head.urgent, 1)), entry);
  };

  /** Grants tokens to the head of the queue while there are some; then sleeps until the next one is due. */
  const pump = (entry: BucketEntry): void => {
    for (let head = entry.queue[0]; head !== undefined && canTake(entry, head.urgent); head = entry.queue[0]) {
      take(entry, head.urgent);
      entry.queue.shift();
      head.grant();
    }
    // The server may have said there are fewer tokens than we thought: whoever can no longer be served before
    // their deadline hears so now rather than at the deadline.
    const now = options.now();
    for (let position = entry.queue.length - 1; position >= 0; position -= 1) {
      const waiter = entry.queue[position] as Waiter;
      const waitMs = msUntil(entry, waiter.urgent, position + 1);
      if (waiter.wait.deadline !== undefined && now + waitMs > waiter.wait.deadline) {
        entry.queue.splice(position, 1);
        waiter.fail(waiter.wait.deadlineExceeded(waitMs));
      }
    }
    schedule(entry);
  };

  const ticketFor = (entry: BucketEntry): PaceTicket => {
    entry.inFlight += 1;
    const grantedAt = options.now();
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
          // Our allowance follows the server's capacity (its tokens stay ours: the server does not count them).
          if (entry.own !== undefined && headers.limit !== undefined && headers.limit >= 1) {
            entry.own.setRemaining(entry.own.tokens, Math.max(1, share * headers.limit));
          }
        } else if (status === 429) {
          entry.bucket.setRemaining(Math.min(0, entry.bucket.tokens));
        } else if (status !== 401) {
          // No RateLimit-Remaining to correct our count. When a full bucket starts to drain, ours does so as we
          // grant the first request and the server's only once it arrives: the refill in between is ours alone,
          // and a round trip bounds it. Hold that much back, from the capacity too (a bucket full on both sides
          // would otherwise lose the slack), growing it with the slowest round trip seen, up to a quarter of the
          // bucket (a round trip stretched by a retry or a full connection pool says nothing about the server).
          const wanted = Math.min(
            Math.max(SAFETY_TOKENS, Math.floor(entry.capacity / 4)),
            Math.max(SAFETY_TOKENS, Math.ceil((options.now() - grantedAt) * entry.refillPerMs)),
          );
          if (wanted > entry.heldBack) {
            entry.bucket.setRemaining(entry.bucket.tokens - (wanted - entry.heldBack), entry.capacity - wanted);
            entry.heldBack = wanted;
          }
        }
        // The server's view may hold more tokens than ours did: serve waiters now, not at the old wake-up time.
        if (entry.queue.length > 0) pump(entry);
      },
      release() {
        finish();
      },
    };
  };

  return {
    async acquire(path, wait) {
      const scope = bucketForPath(path);
      if (scope === undefined) return NO_TICKET;
      const key = `${options.origin} ${scope.kind}:${scope.id}`;
      const entry = entryFor(key, scope.size);
      if (wait.signal?.aborted) throw wait.signal.reason;
      const urgent = wait.urgent === true;
      // Urgent calls queue only behind urgent calls; the others strictly first come, first served.
      const ahead = urgent ? entry.queue.filter((waiter) => waiter.urgent).length : entry.queue.length;
      // Nobody ahead and a token there: no wait at all (the common case while the bucket has tokens).
      if (ahead === 0 && canTake(entry, urgent)) {
        take(entry, urgent);
        return ticketFor(entry);
      }

      const waitMs = msUntil(entry, urgent, ahead + 1);
      if (wait.deadline !== undefined && options.now() + waitMs > wait.deadline) throw wait.deadlineExceeded(waitMs);
      options.onEvent?.({ type: 'paced', bucket: key, waitMs });
      return new Promise<PaceTicket>((resolve, reject) => {
        const signal = wait.signal;
        const onAbort = () => {
          const at = entry.queue.indexOf(waiter);
          if (at !== -1) entry.queue.splice(at, 1);
          reject(signal?.reason);
        };
        const waiter: Waiter = {
          wait,
          urgent,
          grant: () => {
            signal?.removeEventListener('abort', onAbort);
            // Counted in flight from the moment it is granted, before the caller resumes.
            resolve(ticketFor(entry));
          },
          fail: (error) => {
            signal?.removeEventListener('abort', onAbort);
            reject(error);
          },
        };
        signal?.addEventListener('abort', onAbort, { once: true });
        entry.queue.splice(ahead, 0, waiter);
        // A new head (an urgent call) may be due sooner than the timer set for the old one.
        if (entry.timer === undefined || ahead === 0) schedule(entry);
      });
    },
  };
}
