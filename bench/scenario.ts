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

/**
 * The policy the sweeps run with: execute mode, the highest daily write budget the schema allows, the whole of
 * each rate-limit bucket (`rateLimitShare` 1: the benchmark measures how close the worker comes to the bucket;
 * the default share, 0.5, would halve the rate by design), and `overrides`.
 */
export function policyFor(orgId: string, overrides: Readonly<Record<string, unknown>> = {}): Record<string, unknown> {
  return { orgs: [{ orgId }], dryRun: false, maxWritesPerOrgPerDay: 100_000, rateLimitShare: 1, ...overrides };
}

/**
 * The memory runs' policy: access-list entries idle for up to ten years are kept, so nothing is pruned. With
 * the sweep policy 100,000 keys would plan 156,000 actions, past the highest daily write budget the schema
 * allows (100,000), and the budget would stop the run's writes; this way they plan about 30,000 (deletes and
 * unassigns).
 */
export const MEMORY_POLICY = { accessListIdleDays: 3650, neverUsedGraceDays: 3650 } as const;

/**
 * The worker's connection pool in these runs (the client's default is 10). Time-scaled 60×, the org bucket
 * refills 250 tokens a second: at 50 ms a round trip that needs 13 requests in flight, more to catch up after
 * a pause, and 10 connections cap the worker at about 190 a second (wall 1.8× the bound at 1,000 keys). At
 * Atlas's real rate (4 a second) one connection would do. Sized like the sweep's scan concurrency.
 */
export const CLIENT_CONNECTIONS = 32;
