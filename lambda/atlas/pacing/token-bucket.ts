export interface TokenBucketOptions {
  readonly capacity: number;
  /** Tokens added per `periodMs`, continuously (not in steps). */
  readonly refill: number;
  readonly periodMs: number;
  readonly now: () => number;
}

/** A token bucket that starts full. Pure bookkeeping: it never sleeps, it says how long to wait. */
export class TokenBucket {
  #capacity: number;
  readonly #ratePerMs: number;
  readonly #now: () => number;
  #tokens: number;
  #updatedAt: number;

  constructor(options: TokenBucketOptions) {
    if (!(options.capacity >= 1)) throw new RangeError(`capacity must be ≥ 1 (given ${options.capacity})`);
    if (!(options.refill > 0 && options.periodMs > 0)) {
      throw new RangeError(`refill and periodMs must be > 0 (given ${options.refill}, ${options.periodMs})`);
    }
    this.#capacity = options.capacity;
    this.#ratePerMs = options.refill / options.periodMs;
    this.#now = options.now;
    this.#tokens = options.capacity;
    this.#updatedAt = options.now();
  }

  get capacity(): number {
    return this.#capacity;
  }

  /** Tokens available now (may be fractional, or negative after the server said we overspent). */
  get tokens(): number {
    this.#refill();
    return this.#tokens;
  }

  /** Takes one token and returns 0, or takes nothing and returns the ms until one will be there. */
  tryTake(): number {
    this.#refill();
    if (this.#tokens >= 1) {
      this.#tokens -= 1;
      return 0;
    }
    return this.msUntil(1);
  }

  /** Milliseconds until `count` whole tokens will be there (0 if they are), taking none. */
  msUntil(count: number): number {
    this.#refill();
    return this.#tokens >= count ? 0 : Math.ceil((count - this.#tokens) / this.#ratePerMs);
  }

  /** Adopts the server's view (`RateLimit-Remaining`, `RateLimit-Limit`): it counts requests we cannot see. */
  setRemaining(remaining: number, limit?: number): void {
    this.#refill();
    if (limit !== undefined && limit >= 1) this.#capacity = limit;
    this.#tokens = Math.min(this.#capacity, remaining);
  }

  #refill(): void {
    const now = this.#now();
    const elapsed = Math.max(0, now - this.#updatedAt);
    this.#tokens = Math.min(this.#capacity, this.#tokens + elapsed * this.#ratePerMs);
    this.#updatedAt = now;
  }
}
