import type { RetryPolicy } from '../types.ts';

/**
 * Exponential backoff with full jitter: `random() * min(maxDelay, base * 2^retryIndex)`, `retryIndex` 0 for
 * the first retry. Full jitter spreads concurrent retriers out (AWS Architecture Blog, "Exponential Backoff
 * And Jitter").
 */
export function backoffDelay(retryIndex: number, policy: RetryPolicy, random: () => number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** retryIndex);
  return Math.floor(random() * ceiling);
}
