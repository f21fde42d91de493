import { afterEach, describe, expect, it } from 'vitest';
import type { ClientEvent } from '../../lambda/atlas/types.ts';
import { sweepOrg } from '../../lambda/worker/sweep-org.ts';
import type { RequestLogEntry } from '../../sim/types.ts';
import { NOW, startWorkerFixture, type WorkerFixture } from '../helpers/worker-fixture.ts';
import { accessListReads, applyPlan, viewOf } from './helpers.ts';

// Small buckets refilled 20× faster than real time: 50 tokens, then 600 a minute × 20 = 200 a second.
const BUCKETS = { orgCapacity: 50, orgRefillPerMinute: 600, projectCapacity: 50, projectRefillPerMinute: 600, timeScale: 20 };
const REFILL_PER_MS = (600 * 20) / 60_000;
/** Requests that draw on the org's API-key bucket (listing, access lists, org-key deletes). */
const ORG_KEYS = /\/orgs\/[a-f0-9]{24}\/apiKeys/;

interface TimedEvent {
  readonly at: number;
  readonly event: ClientEvent;
}

/** The length of the union of the waits the pacer announced for the org's API-key bucket (a call told at `at` to wait `waitMs`). */
function waitedMs(events: readonly TimedEvent[]): number {
  const waits = events
    .flatMap(({ at, event }) => (event.type === 'paced' && event.bucket.includes(' org-keys:') ? [[at, at + event.waitMs] as const] : []))
    .sort(([a], [b]) => a - b);
  let total = 0;
  let end = Number.NEGATIVE_INFINITY;
  for (const [from, to] of waits) {
    if (to <= end) continue;
    total += to - Math.max(from, end);
    end = to;
  }
  return total;
}

/**
 * When the client sent each request to the org's API-key bucket, by its own clock (a response event says when
 * it arrived and how long it took). Whatever the network did with them afterwards.
 */
function sendTimes(events: readonly TimedEvent[]): number[] {
  return events
    .flatMap(({ at, event }) => (event.type === 'response' && ORG_KEYS.test(event.path) ? [at - event.durationMs] : []))
    .sort((a, b) => a - b);
}

/** The fewest tokens a bucket of the org's size would have held, replaying `sends` on it (below 0: overspent). */
function lowestTokens(sends: readonly number[]): number {
  let tokens = BUCKETS.orgCapacity;
  let lowest = tokens;
  let last = sends[0] ?? 0;
  for (const at of sends) {
    tokens = Math.min(BUCKETS.orgCapacity, tokens + (at - last) * REFILL_PER_MS) - 1;
    last = at;
    lowest = Math.min(lowest, tokens);
  }
  return lowest;
}

describe('Scale › pacing', () => {
  let fixture: WorkerFixture | undefined;
  afterEach(async () => {
    await fixture?.close();
    fixture = undefined;
  });

  /** 200 keys, 2-5 entries each, 20 % stale; a client paced like the simulator's buckets; plan, then execute. */
  async function pacedSweep(headers: boolean, maxAttempts: number) {
    const events: TimedEvent[] = [];
    fixture = await startWorkerFixture(
      { keysPerOrg: 200, entriesPerKey: [2, 5], staleFraction: 0.2 },
      {
        sim: { rateLimit: { ...BUCKETS, headers } },
        client: { pacing: BUCKETS, retry: { maxAttempts }, onEvent: (event) => events.push({ at: Date.now(), event }) },
      },
    );
    const { sim, orgId } = fixture;
    const options = { client: fixture.client, orgId, policy: fixture.policy(), now: NOW, selfPublicKey: fixture.selfPublicKey };
    const planned = await sweepOrg({ ...options, dryRun: true });
    const before = viewOf(sim.state, orgId);
    const from = sim.requests.length;
    const started = Date.now();
    const executed = await sweepOrg({ ...options, dryRun: false });
    const elapsed = Date.now() - started;
    return { sim, orgId, events, planned, before, executed, elapsed, log: sim.requests.slice(from) };
  }

  /** What holds with or without headers: the plan done, each key scanned once, no faster than the bucket allows. */
  function expectPacedSweep(run: Awaited<ReturnType<typeof pacedSweep>>, log: readonly RequestLogEntry[]) {
    const { sim, orgId, events, planned, before, executed, elapsed } = run;
    expect(executed.complete).toBe(true);
    expect(executed.results).toHaveLength(planned.results.length);
    expect(executed.results.filter((result) => result.outcome !== 'done')).toEqual([]);
    expect(viewOf(sim.state, orgId)).toEqual(applyPlan(before, planned.results.map((r) => r.action)));
    // Each key scanned once: its reads less the re-read before each prune (one GET per prune)
    const scans = accessListReads(log);
    for (const result of executed.results.filter((r) => r.action.kind === 'pruneAccessListEntry')) {
      scans.set(result.action.apiUserId, (scans.get(result.action.apiUserId) ?? 0) - 1);
    }
    expect([...scans.keys()].sort()).toEqual([...before.keys()].sort());
    expect([...scans.entries()].filter(([, count]) => count !== 1)).toEqual([]);
    // The client never sent faster than the bucket allows, by its own clock (both sweeps, one pacer)
    expect(lowestTokens(sendTimes(events))).toBeGreaterThanOrEqual(-1e-6);
    // Not vacuous: the work was many bucketfuls of the org's API-key bucket (each prune's re-read counted: it
    // takes a token too), so it cannot take less than the refill time, however fast the machine
    const accepted = log.filter((entry) => ORG_KEYS.test(entry.url) && entry.status !== 401 && entry.status !== 429).length;
    expect(accepted).toBeGreaterThan(8 * BUCKETS.orgCapacity);
    const boundMs = (accepted - BUCKETS.orgCapacity) / REFILL_PER_MS;
    expect(elapsed).toBeGreaterThanOrEqual(boundMs * 0.95);
    // Nor does the client wait longer than the bucket requires: the time during which some call was told to wait
    // for one of its tokens stays within the refill time of what it sent. (How close the wall time comes to the
    // bound depends on the machine's load, not on the client: `npm run bench` measures that.)
    const sent = sendTimes(events).length;
    expect(waitedMs(events)).toBeLessThanOrEqual(((sent - BUCKETS.orgCapacity) / REFILL_PER_MS) * 1.05);
  }

  it('a sweep with RateLimit headers gets no 429, does every planned action, and never sends faster than the bucket', async () => {
    // One attempt: a 429 would fail its action rather than be retried away. The server's counts, adopted from
    // each answer, leave no room for one whatever the timing.
    const run = await pacedSweep(true, 1);

    expect(run.log.filter((entry) => entry.status === 429)).toEqual([]);
    expectPacedSweep(run, run.log);
  });

  it('a sweep without RateLimit headers keeps its own count: it never sends faster than the bucket, and does every planned action', async () => {
    // Without the server's counts the client cannot see how the network spaced its requests out: under load a
    // burst can arrive closer together than it was sent and meet a 429, which is retried (three attempts).
    const run = await pacedSweep(false, 3);

    // Every 429 (both sweeps) was seen by the client as a rate limit and retried
    expect(run.events.filter(({ event }) => event.type === 'rate-limited').length).toBe(run.sim.requests.filter((entry) => entry.status === 429).length);
    expectPacedSweep(run, run.log);
  });
});
