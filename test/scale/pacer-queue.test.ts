import { describe, expect, it } from 'vitest';
import { createPacer, type PaceWait } from '../../lambda/atlas/pacing/create-pacer.ts';
import type { ClientEvent } from '../../lambda/atlas/types.ts';

const ORG = 'aaaaaaaaaaaaaaaaaaaaaaaa';
const PATH = `/orgs/${ORG}/apiKeys`;

/** A pacer on a real clock: 1 token, then 100 a second (6000 a minute at time scale 1). */
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

describe('Function: createPacer › queue', () => {
  it('serves waiting callers first come, first served, one token apart', async () => {
    // Prepare
    const { pacer, events } = setup();
    await pacer.acquire(PATH, wait()); // the one token
    const order: number[] = [];

    // Act
    const started = Date.now();
    await Promise.all([0, 1, 2, 3, 4].map(async (index) => {
      await pacer.acquire(PATH, wait());
      order.push(index);
    }));

    // Assess: in order, at the refill rate (10 ms a token), each told its place's wait
    expect(order).toEqual([0, 1, 2, 3, 4]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(40);
    const waits = events.flatMap((event) => (event.type === 'paced' ? [event.waitMs] : []));
    expect(waits).toHaveLength(5);
    expect(waits).toEqual([...waits].sort((a, b) => a - b));
    expect(waits[4]).toBeGreaterThanOrEqual(45);
  });

  it('drops an aborted caller from the queue without spending its token', async () => {
    const { pacer } = setup();
    await pacer.acquire(PATH, wait());
    const controller = new AbortController();
    const aborted = pacer.acquire(PATH, wait({ signal: controller.signal }));
    const next = pacer.acquire(PATH, wait());

    const started = Date.now();
    controller.abort(new Error('caller gave up'));

    await expect(aborted).rejects.toThrow('caller gave up');
    await next;
    // The next caller got the first token due, not the second
    expect(Date.now() - started).toBeLessThan(18);
  });

  it('tells a caller at once when its place in the queue cannot be served before its deadline', async () => {
    const { pacer } = setup();
    await pacer.acquire(PATH, wait());
    const queued = [pacer.acquire(PATH, wait()), pacer.acquire(PATH, wait())];

    // Third in line: about 30 ms away, and the deadline is in 15
    const started = Date.now();
    await expect(pacer.acquire(PATH, wait({ deadline: Date.now() + 15 }))).rejects.toThrow(/would wait (2|3)\d ms/);
    expect(Date.now() - started).toBeLessThan(5);
    await Promise.all(queued);
  });
});
