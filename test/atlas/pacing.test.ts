import { describe, expect, it } from 'vitest';
import { bucketForPath } from '../../lambda/atlas/pacing/bucket-for-path.ts';
import { createPacer } from '../../lambda/atlas/pacing/create-pacer.ts';
import { parseRateLimitHeaders } from '../../lambda/atlas/pacing/parse-rate-limit-headers.ts';
import { TokenBucket } from '../../lambda/atlas/pacing/token-bucket.ts';
import type { ClientEvent } from '../../lambda/atlas/types.ts';

const ORG = 'aaaaaaaaaaaaaaaaaaaaaaaa';
const GROUP = 'bbbbbbbbbbbbbbbbbbbbbbbb';

describe('Class: TokenBucket', () => {
  it('starts full, then says how long until the next token', () => {
    // Prepare: 3 tokens, 1 per second
    let now = 0;
    const bucket = new TokenBucket({ capacity: 3, refill: 1, periodMs: 1000, now: () => now });
    // Act / Assess
    expect([bucket.tryTake(), bucket.tryTake(), bucket.tryTake()]).toEqual([0, 0, 0]);
    expect(bucket.tryTake()).toBe(1000);
    now = 400;
    expect(bucket.tryTake()).toBe(600);
    now = 1000;
    expect(bucket.tryTake()).toBe(0);
  });

  it('never refills above capacity', () => {
    let now = 0;
    const bucket = new TokenBucket({ capacity: 2, refill: 250, periodMs: 60_000, now: () => now });
    now = 10 * 60_000;
    expect(bucket.tokens).toBe(2);
  });

  it('adopts the server view: remaining and limit', () => {
    let now = 0;
    const bucket = new TokenBucket({ capacity: 10, refill: 10, periodMs: 10_000, now: () => now });
    bucket.setRemaining(0, 5);
    expect(bucket.capacity).toBe(5);
    expect(bucket.tryTake()).toBe(1000);
    bucket.setRemaining(-2);
    expect(bucket.tryTake()).toBe(3000);
    now = 60_000;
    expect(bucket.tokens).toBe(5);
  });

  it('fails if capacity or refill are not positive', () => {
    expect(() => new TokenBucket({ capacity: 0, refill: 1, periodMs: 1, now: () => 0 })).toThrow(/capacity must be ≥ 1 \(given 0\)/);
    expect(() => new TokenBucket({ capacity: 1, refill: 0, periodMs: 1, now: () => 0 })).toThrow(/must be > 0/);
  });
});

describe('Function: bucketForPath', () => {
  it.each([
    [`/orgs/${ORG}/apiKeys?pageNum=1&itemsPerPage=500`, `org-keys`],
    [`/orgs/${ORG}/apiKeys/${GROUP}/accessList/192.0.2.0%2F24`, 'org-keys'],
    [`/orgs/${ORG}`, 'org-read'],
    [`/orgs/${ORG}/groups?pageNum=2`, 'org-read'],
    [`/groups/${GROUP}/apiKeys/${ORG}`, 'project-keys'],
  ])('%s → %s', (path, kind) => {
    expect(bucketForPath(path)?.kind).toBe(kind);
  });
  it('has no bucket for other paths', () => {
    expect(bucketForPath('/groups')).toBeUndefined();
    expect(bucketForPath(`/groups/${GROUP}`)).toBeUndefined();
    expect(bucketForPath(`/groups/${GROUP}?envelope=false`)).toBeUndefined();
  });
});

describe('Function: parseRateLimitHeaders', () => {
  it('reads plain and list forms, ignores junk', () => {
    expect(parseRateLimitHeaders({ 'ratelimit-limit': '10', 'ratelimit-remaining': '3' })).toEqual({ limit: 10, remaining: 3 });
    expect(parseRateLimitHeaders({ 'ratelimit-limit': '10, 10;w=60' })).toEqual({ limit: 10 });
    expect(parseRateLimitHeaders({ 'ratelimit-remaining': 'lots' })).toEqual({});
  });
});

describe('Function: createPacer', () => {
  const setup = (capacity: number) => {
    const clock = { now: 0 };
    const events: ClientEvent[] = [];
    const pacer = createPacer({
      origin: 'http://127.0.0.1:1',
      pacing: { orgCapacity: capacity, orgRefillPerMinute: 60, timeScale: 60 }, // 60 per second
      now: () => clock.now,
      onEvent: (event) => events.push(event),
    });
    return { clock, events, pacer };
  };
  const noDeadline = { deadline: undefined, signal: undefined, deadlineExceeded: () => new Error('deadline') };

  it('grants immediately while tokens last and ignores unscoped paths', async () => {
    const { pacer, events } = setup(2);
    await pacer.acquire(`/orgs/${ORG}/apiKeys`, noDeadline);
    await pacer.acquire(`/orgs/${ORG}/apiKeys`, noDeadline);
    await pacer.acquire('/groups', noDeadline);
    expect(events).toEqual([]);
  });

  it('throws the deadline error instead of waiting past the deadline', async () => {
    const { pacer, events } = setup(1);
    await pacer.acquire(`/orgs/${ORG}/apiKeys`, noDeadline);
    await expect(
      pacer.acquire(`/orgs/${ORG}/apiKeys`, { ...noDeadline, deadline: 5, deadlineExceeded: (ms) => new Error(`wait ${ms}`) }),
    ).rejects.toThrow('wait 17');
    expect(events).toEqual([]);
  });

  it('waits (and says so) when the bucket is empty', async () => {
    const { pacer, events, clock } = setup(1);
    await pacer.acquire(`/orgs/${ORG}/apiKeys`, noDeadline);
    const started = Date.now();
    const second = pacer.acquire(`/orgs/${ORG}/apiKeys`, noDeadline);
    clock.now = 20; // the sleep is real, the bucket's clock is ours
    await second;
    expect(Date.now() - started).toBeGreaterThanOrEqual(10);
    expect(events).toEqual([{ type: 'paced', bucket: `http://127.0.0.1:1 org-keys:${ORG}`, waitMs: 17 }]);
  });

  it('adopts RateLimit-Remaining minus requests still in flight', async () => {
    const { pacer, events } = setup(10);
    const first = await pacer.acquire(`/orgs/${ORG}/apiKeys`, noDeadline);
    await pacer.acquire(`/orgs/${ORG}/apiKeys`, noDeadline); // still in flight
    first.observe({ limit: 10, remaining: 1 }, 200); // server: 1 left, and one of ours is on its way
    await expect(
      pacer.acquire(`/orgs/${ORG}/apiKeys`, { ...noDeadline, deadline: 1, deadlineExceeded: () => new Error('empty') }),
    ).rejects.toThrow('empty');
    expect(events).toEqual([]);
  });
});
