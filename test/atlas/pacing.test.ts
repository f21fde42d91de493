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

describe('Function: createPacer › share', () => {
  // 10 tokens, refilled at 60 a second (one per ~16.7 ms), half of it ours. The clock is ours: nothing sleeps.
  const setup = (share: number) => {
    const clock = { now: 0 };
    const pacer = createPacer({
      origin: 'http://127.0.0.1:1',
      pacing: { orgCapacity: 10, orgRefillPerMinute: 60, timeScale: 60, share },
      now: () => clock.now,
    });
    const path = `/orgs/${ORG}/apiKeys`;
    /** How many calls get a token at once (each refused call throws instead of waiting). */
    const grantsNow = async (limit: number, urgent = false) => {
      let granted = 0;
      for (let attempt = 0; attempt < limit; attempt += 1) {
        const wait = { deadline: clock.now, signal: undefined, deadlineExceeded: () => new Error('would wait'), urgent };
        const ticket = await pacer.acquire(path, wait).catch(() => undefined);
        if (ticket === undefined) break;
        ticket.release(); // done, with nothing learnt from the server
        granted += 1;
      }
      return granted;
    };
    return { clock, pacer, path, grantsNow };
  };

  it('bursts to share × capacity, then refills at share × the refill rate', async () => {
    // Prepare
    const { clock, grantsNow } = setup(0.5);

    // Act
    const burst = await grantsNow(20);
    clock.now = 100; // the server's bucket refills 6 tokens in 100 ms; our half of the rate is 3
    const after100ms = await grantsNow(20);
    clock.now = 1_100; // long enough to refill everything: still never more than half the capacity at once
    const afterLong = await grantsNow(20);

    // Assess
    expect([burst, after100ms, afterLong]).toEqual([5, 3, 5]);
  });

  it('with share 1 (the default), uses the whole bucket as before', async () => {
    // Act / Assess
    expect(await setup(1).grantsNow(20)).toBe(10);
  });

  it('never takes the server\'s bucket below (1 − share) × capacity as RateLimit-Remaining shows it', async () => {
    // Prepare
    const { pacer, path, grantsNow } = setup(0.5);
    const first = await pacer.acquire(path, { deadline: undefined, signal: undefined, deadlineExceeded: () => new Error('x') });

    // Act: others have spent from the same bucket: the server has 8 left (one token of slack is kept besides).
    first.observe({ limit: 10, remaining: 8 }, 200);
    const granted = await grantsNow(20);

    // Assess: 8 − 1 slack − 5 reserved leaves 2, though our own allowance still holds 4.
    expect(granted).toBe(2);
  });

  it('lets urgent calls use the reserve, and serves them ahead of waiting calls', async () => {
    // Prepare
    const { pacer, path, grantsNow } = setup(0.5);
    const normal = await grantsNow(20);
    const stop = new AbortController();
    const waiting = pacer.acquire(path, { deadline: undefined, signal: stop.signal, deadlineExceeded: () => new Error('x') });

    // Act
    const urgent = await grantsNow(20, true);

    // Assess: 5 of ours, then the other 5 (the reserve) to urgent calls, though a normal call was queued first.
    expect([normal, urgent]).toEqual([5, 5]);
    expect(await Promise.race([waiting.then(() => 'granted'), Promise.resolve('still waiting')])).toBe('still waiting');
    stop.abort(new Error('done'));
    await expect(waiting).rejects.toThrow('done');
  });

  it('adopts the server\'s capacity for its share: RateLimit-Limit 40 → bursts of 20', async () => {
    // Prepare
    const { clock, pacer, path, grantsNow } = setup(0.5);
    const first = await pacer.acquire(path, { deadline: undefined, signal: undefined, deadlineExceeded: () => new Error('x') });
    first.observe({ limit: 40, remaining: 39 }, 200);

    // Act: refill both to full, then burst.
    clock.now = 10_000;
    const burst = await grantsNow(50);

    // Assess
    expect(burst).toBe(20);
  });
});
