import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createPacer, type PaceTicket, type PaceWait } from '../../lambda/atlas/pacing/create-pacer.ts';
import type { ClientEvent } from '../../lambda/atlas/types.ts';

const ORG = 'aaaaaaaaaaaaaaaaaaaaaaaa';
const PATH = `/orgs/${ORG}/apiKeys`;

/**
 * A pacer on a fake clock (Date and timers faked: time moves only when the test advances it, whatever the
 * machine's load): 1 token, then 100 a second (6000 a minute at time scale 1), one every 10 ms.
 */
function setup() {
  const events: ClientEvent[] = [];
  const pacer = createPacer({
    origin: 'http://127.0.0.1:1',
    pacing: { orgCapacity: 1, orgRefillPerMinute: 6_000, timeScale: 1 },
    now: Date.now,
    onEvent: (event) => events.push(event),
  });
  return { pacer, events };
}
const wait = (overrides: Partial<PaceWait> = {}): PaceWait => ({
  deadline: undefined,
  signal: undefined,
  deadlineExceeded: (ms) => new Error(`would wait ${ms} ms`),
  ...overrides,
});

/** Tracks a pending acquisition without awaiting it. */
function track(acquisition: Promise<PaceTicket>) {
  const state = { settled: false, error: undefined as unknown };
  acquisition.then(
    () => {
      state.settled = true;
    },
    (error: unknown) => {
      state.settled = true;
      state.error = error;
    },
  );
  return state;
}

describe('Function: createPacer › queue', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date', 'setTimeout', 'clearTimeout'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('serves waiting callers first come, first served, one token apart', async () => {
    // Prepare
    const { pacer, events } = setup();
    await pacer.acquire(PATH, wait()); // the one token
    const order: number[] = [];

    // Act: five callers queue at once; time moves 10 ms (one token) at a time
    const all = Promise.all(
      [0, 1, 2, 3, 4].map(async (index) => {
        await pacer.acquire(PATH, wait());
        order.push(index);
      }),
    );
    const served: number[][] = [];
    for (let step = 0; step < 5; step += 1) {
      await vi.advanceTimersByTimeAsync(10);
      served.push([...order]);
    }
    await all;

    // Assess: one more caller each 10 ms, in order, each told its place's wait
    expect(served).toEqual([[0], [0, 1], [0, 1, 2], [0, 1, 2, 3], [0, 1, 2, 3, 4]]);
    const waits = events.flatMap((event) => (event.type === 'paced' ? [event.waitMs] : []));
    expect(waits).toEqual([10, 20, 30, 40, 50]);
  });

  it('drops an aborted caller from the queue without spending its token', async () => {
    const { pacer } = setup();
    await pacer.acquire(PATH, wait());
    const controller = new AbortController();
    const aborted = track(pacer.acquire(PATH, wait({ signal: controller.signal })));
    const next = track(pacer.acquire(PATH, wait()));

    controller.abort(new Error('caller gave up'));
    await vi.advanceTimersByTimeAsync(0);
    expect(aborted).toEqual({ settled: true, error: new Error('caller gave up') });
    expect(next.settled).toBe(false);

    // The next caller gets the first token due (at 10 ms), not the second (at 20 ms)
    await vi.advanceTimersByTimeAsync(10);
    expect(next).toEqual({ settled: true, error: undefined });
  });

  it('tells a caller at once when its place in the queue cannot be served before its deadline', async () => {
    const { pacer } = setup();
    await pacer.acquire(PATH, wait());
    const queued = [pacer.acquire(PATH, wait()), pacer.acquire(PATH, wait())];

    // Third in line: 30 ms away, and the deadline is in 15; no time passes before the answer
    const third = track(pacer.acquire(PATH, wait({ deadline: Date.now() + 15 })));
    await vi.advanceTimersByTimeAsync(0);
    expect(third).toEqual({ settled: true, error: new Error('would wait 30 ms') });

    await vi.advanceTimersByTimeAsync(20);
    await Promise.all(queued);
  });
});
