import { describe, expect, it } from 'vitest';
import { sleep } from '../../lambda/atlas/util/abortable.ts';

/** An AbortController's signal that counts its live 'abort' listeners. */
function countingSignal() {
  const controller = new AbortController();
  const { signal } = controller;
  let live = 0;
  const add = signal.addEventListener.bind(signal);
  const remove = signal.removeEventListener.bind(signal);
  signal.addEventListener = ((...args: Parameters<typeof add>) => {
    live += 1;
    add(...args);
  }) as typeof signal.addEventListener;
  signal.removeEventListener = ((...args: Parameters<typeof remove>) => {
    live -= 1;
    remove(...args);
  }) as typeof signal.removeEventListener;
  return { controller, signal, live: () => live };
}

describe('Function: sleep', () => {
  it('leaves no abort listener behind on a signal that outlives many sleeps', async () => {
    const { signal, live } = countingSignal();

    for (let i = 0; i < 20; i += 1) await sleep(1, signal);

    expect(live()).toBe(0);
  });

  it('rejects with the reason as soon as the signal fires', async () => {
    const { controller, signal } = countingSignal();
    const started = Date.now();
    const sleeping = sleep(10_000, signal);

    controller.abort(new Error('stop'));

    await expect(sleeping).rejects.toThrow('stop');
    expect(Date.now() - started).toBeLessThan(1_000);
  });
});
