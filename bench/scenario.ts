import type { RateLimitOptions, SeedSpec } from '../sim/types.ts';

/** Atlas's documented token buckets (README "Rate limits"), refilled 60× faster than real time. */
export const TIME_SCALE = 60;

export const RATE_LIMIT: Required<Pick<RateLimitOptions, 'orgCapacity' | 'orgRefillPerMinute' | 'projectCapacity' | 'projectRefillPerMinute' | 'timeScale'>> &
  RateLimitOptions = {
  orgCapacity: 500,
  orgRefillPerMinute: 250,
  projectCapacity: 1200,
  projectRefillPerMinute: 500,
  timeScale: TIME_SCALE,
  headers: true,
  retryAfter: true,
};

/** Added by the simulator to every response (about one round trip to Atlas). */
export const LATENCY_MS = 50;

/** Every sweep benchmark's org: 2–5 access-list entries per key, 20 % stale (the generator's other defaults). */
export function seedFor(keys: number): SeedSpec {
  return { seed: 42, orgs: 1, keysPerOrg: keys, entriesPerKey: [2, 5], staleFraction: 0.2 };
}

/** The policy the sweeps run with: execute mode, a cap high enough never to trip. */
export function policyFor(orgId: string): Record<string, unknown> {
  return { orgs: [{ orgId }], dryRun: false, maxDeletionsPerRun: 100_000 };
}

/**
 * Client options the benchmark gives the worker. Only the pacing clock is scaled like the simulator's; the
 * connection pool is sized for the scaled rate (see bench/README.md).
 */
export const CLIENT_CONNECTIONS = 32;
