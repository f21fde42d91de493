/** A token bucket: `capacity` tokens, refilled continuously at `refillPerMs`. Time is passed in. */
export class TokenBucket {
  readonly capacity: number;
  readonly #refillPerMs: number;
  #tokens: number;
  #last: number;

  constructor(capacity: number, refillPerMs: number, nowMs: number) {
    this.capacity = capacity;
    this.#refillPerMs = refillPerMs;
    this.#tokens = capacity;
    this.#last = nowMs;
  }

  /** Takes one token if there is one. */
  take(nowMs: number): boolean {
    this.#refill(nowMs);
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }

  /** Whole tokens left now. */
  remaining(nowMs: number): number {
    this.#refill(nowMs);
    return Math.floor(this.#tokens);
  }

  /** Milliseconds until one whole token is available (0 if one is). */
  msUntilToken(nowMs: number): number {
    this.#refill(nowMs);
    if (this.#tokens >= 1) return 0;
    return this.#refillPerMs > 0 ? (1 - this.#tokens) / this.#refillPerMs : Number.POSITIVE_INFINITY;
  }

  #refill(nowMs: number): void {
    const elapsed = Math.max(0, nowMs - this.#last);
    this.#tokens = Math.min(this.capacity, this.#tokens + elapsed * this.#refillPerMs);
    this.#last = nowMs;
  }
}
