import { afterEach, describe, expect, it } from 'vitest';
import type { ClientEvent } from '../../lambda/atlas/types.ts';
import { sweepOrg } from '../../lambda/worker/sweep-org.ts';
import { NOW, startWorkerFixture, type WorkerFixture } from '../helpers/worker-fixture.ts';
import { accessListReads, applyPlan, viewOf } from './helpers.ts';

// Small buckets refilled 20× faster than real time: 50 tokens, then 600 a minute × 20 = 200 a second.
const BUCKETS = { orgCapacity: 50, orgRefillPerMinute: 600, projectCapacity: 50, projectRefillPerMinute: 600, timeScale: 20 };
const REFILL_PER_MS = (600 * 20) / 60_000;

describe('Scale › pacing', () => {
  let fixture: WorkerFixture | undefined;
  afterEach(async () => {
    await fixture?.close();
    fixture = undefined;
  });

  it.each([
    ['with RateLimit headers', true],
    ['without RateLimit headers (the client keeps its own count)', false],
  ])('a sweep %s gets no 429, does every planned action, and runs at the refill rate', async (_, headers) => {
    // Prepare: 200 keys, 2-5 entries each, 20 % stale; a client paced like the simulator's buckets
    const events: ClientEvent[] = [];
    fixture = await startWorkerFixture(
      { keysPerOrg: 200, entriesPerKey: [2, 5], staleFraction: 0.2 },
      {
        sim: { rateLimit: { ...BUCKETS, headers } },
        // One attempt: a 429 would fail its action rather than be retried away.
        client: { pacing: BUCKETS, retry: { maxAttempts: 1 }, onEvent: (event) => events.push(event) },
      },
    );
    const { sim, orgId } = fixture;
    const options = { client: fixture.client, orgId, policy: fixture.policy(), now: NOW, selfPublicKey: fixture.selfPublicKey };
    const planned = await sweepOrg({ ...options, dryRun: true });
    const before = viewOf(sim.state, orgId);
    const from = sim.requests.length;
    const started = Date.now();

    // Act
    const executed = await sweepOrg({ ...options, dryRun: false });

    // Assess: no 429, every action done, the org as planned, each key read once
    const elapsed = Date.now() - started;
    const log = sim.requests.slice(from);
    expect(log.filter((entry) => entry.status === 429)).toEqual([]);
    expect(executed.complete).toBe(true);
    expect(executed.results).toHaveLength(planned.results.length);
    expect(executed.results.every((result) => result.outcome === 'done')).toBe(true);
    expect(viewOf(sim.state, orgId)).toEqual(applyPlan(before, planned.results.map((r) => r.action)));
    // Each key scanned once: its reads less the re-read before each prune (one GET per prune)
    const scans = accessListReads(log);
    for (const result of executed.results.filter((r) => r.action.kind === 'pruneAccessListEntry')) {
      scans.set(result.action.apiUserId, (scans.get(result.action.apiUserId) ?? 0) - 1);
    }
    expect([...scans.keys()].sort()).toEqual([...before.keys()].sort());
    expect([...scans.entries()].filter(([, count]) => count !== 1)).toEqual([]);
    // Not vacuous: the work was many bucketfuls, the client waited for tokens, and took about the refill time
    const orgRequests = log.filter((entry) => entry.url.includes('/orgs/') && entry.status !== 401).length;
    expect(orgRequests).toBeGreaterThan(8 * BUCKETS.orgCapacity);
    expect(events.some((event) => event.type === 'paced')).toBe(true);
    const boundMs = (orgRequests - BUCKETS.orgCapacity) / REFILL_PER_MS;
    expect(elapsed).toBeGreaterThanOrEqual(boundMs * 0.95);
    expect(elapsed).toBeLessThan(boundMs * 1.5);
  });
});
