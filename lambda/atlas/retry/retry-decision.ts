import type { AtlasApiError } from '../errors.ts';

export type RetryDecision = { readonly retry: true; readonly reason: string } | { readonly retry: false };

/** Throttling and transient server failures. 501 and 505 are not transient. */
export const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([429, 500, 502, 503, 504]);

/**
 * Whether a failed attempt is worth another one: 429, 500/502/503/504 (also from the token endpoint), and
 * network resets and transport timeouts. Never a deadline, an abort, a malformed body or any other 4xx.
 * Every request this client sends is a GET or an idempotent DELETE, so resending is safe.
 * `attempt` is the 1-based number of the attempt that just failed.
 */
export function decideRetry(error: AtlasApiError, attempt: number, maxAttempts: number): RetryDecision {
  if (attempt >= maxAttempts) return { retry: false };
  switch (error.kind) {
    case 'network':
      return { retry: true, reason: 'network' };
    case 'timeout':
      return { retry: true, reason: 'timeout' };
    case 'http':
    case 'auth':
      if (error.status !== undefined && RETRYABLE_STATUSES.has(error.status)) {
        return { retry: true, reason: error.status === 429 ? 'rate-limited' : `status ${error.status}` };
      }
      return { retry: false };
    default:
      return { retry: false };
  }
}
