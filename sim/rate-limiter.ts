import { apiError } from './api-error.ts';
import type { SimResponse } from './server-types.ts';
import { TokenBucket } from './token-bucket.ts';
import type { RateLimitOptions } from './types.ts';

/** Which capacity and refill a bucket uses: the org-sized or the project-sized limits. */
export type BucketSize = 'org' | 'project';

export interface RateLimitOutcome {
  /** `Ratelimit-*` headers (Atlas's capitalisation) to add to the response (empty when disabled). */
  headers: Record<string, string>;
  /** Set when the bucket is empty: the 429 to answer with. */
  rejection?: SimResponse;
}

/** Atlas-style token buckets, one per scope key (e.g. `org-keys:<orgId>`), created on first use. */
export class RateLimiter {
  readonly #options: Required<RateLimitOptions>;
  readonly #buckets = new Map<string, TokenBucket>();
  readonly #nowMs: () => number;

  constructor(options: RateLimitOptions, nowMs: () => number = () => performance.now()) {
    this.#options = {
      orgCapacity: options.orgCapacity ?? 500,
      orgRefillPerMinute: options.orgRefillPerMinute ?? 250,
      projectCapacity: options.projectCapacity ?? 1200,
      projectRefillPerMinute: options.projectRefillPerMinute ?? 500,
      timeScale: options.timeScale ?? 1,
      headers: options.headers ?? true,
      retryAfter: options.retryAfter ?? true,
    };
    this.#nowMs = nowMs;
  }

  /** Takes a token from the scope's bucket; `what` names the scope in the 429 detail. */
  consume(scope: string, size: BucketSize, what: string): RateLimitOutcome {
    const now = this.#nowMs();
    const bucket = this.#bucket(scope, size, now);
    const allowed = bucket.take(now);
    const headers = this.#headers(bucket, now);
    if (allowed) return { headers };
    const { capacity, refill } = this.#limits(size);
    const seconds = Math.max(1, Math.ceil(bucket.msUntilToken(now) / 1000));
    if (this.#options.retryAfter) headers['Retry-After'] = String(seconds);
    const detail =
      `Rate limit exceeded for ${what}. Please retry after ${seconds} seconds. ` +
      `Request capacity: ${capacity}. Refill rate: ${refill} per 60 seconds.`;
    return { headers, rejection: apiError(429, 'RATE_LIMITED_TOKEN_BUCKET', detail, headers) };
  }

  /** The headers for a response that took no token (e.g. a 401 challenge). */
  peek(scope: string, size: BucketSize): Record<string, string> {
    const now = this.#nowMs();
    return this.#headers(this.#bucket(scope, size, now), now);
  }

  #bucket(scope: string, size: BucketSize, now: number): TokenBucket {
    let bucket = this.#buckets.get(scope);
    if (bucket === undefined) {
      const { capacity, refill } = this.#limits(size);
      bucket = new TokenBucket(capacity, (refill * this.#options.timeScale) / 60_000, now);
      this.#buckets.set(scope, bucket);
    }
    return bucket;
  }

  #limits(size: BucketSize): { capacity: number; refill: number } {
    const o = this.#options;
    return size === 'org'
      ? { capacity: o.orgCapacity, refill: o.orgRefillPerMinute }
      : { capacity: o.projectCapacity, refill: o.projectRefillPerMinute };
  }

  #headers(bucket: TokenBucket, now: number): Record<string, string> {
    if (!this.#options.headers) return {};
    return { 'Ratelimit-Limit': String(bucket.capacity), 'Ratelimit-Remaining': String(bucket.remaining(now)) };
  }
}
