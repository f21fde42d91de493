import type { RequestLogEntry } from '../sim/types.ts';
import { tokenBound } from './token-bound.ts';

export interface ShareBound {
  /** The slowest bucket's bound at the share, ms. */
  readonly boundMs: number;
  /** e.g. `org-keys:<orgId>` */
  readonly bucket: string;
  /** Requests of that bucket that took a token. */
  readonly requests: number;
}

/**
 * The token-bucket lower bound of `tokenBound` for a client held to `share` of each bucket: it may burst to
 * `share × capacity` and then gets `share` of the refill rate, so per bucket the requests beyond
 * `share × capacity` take (requests − share × capacity) / (share × refill) at the least. The slowest bucket sets it.
 */
export function shareBound(log: readonly RequestLogEntry[], share: number): ShareBound {
  if (!(share > 0 && share <= 1)) throw new RangeError(`share must be > 0 and ≤ 1 (given ${share})`);
  let slowest: ShareBound = { boundMs: 0, bucket: '-', requests: 0 };
  for (const bucket of tokenBound(log).buckets) {
    const boundMs = (Math.max(0, bucket.requests - share * bucket.capacity) / (share * bucket.refillPerSecond)) * 1000;
    if (boundMs > slowest.boundMs) slowest = { boundMs, bucket: bucket.bucket, requests: bucket.requests };
  }
  return slowest;
}
