import { DEFAULT_BATCH_RETRY } from './constants.ts';
import { type StateOperation, StateError } from './errors.ts';
import type { BatchRetrySettings } from './types.ts';

export interface RetryUnprocessedOptions {
  readonly operation: StateOperation;
  readonly settings?: BatchRetrySettings | undefined;
  /** Injected for tests; defaults to a timer. */
  readonly sleep?: ((ms: number) => Promise<void>) | undefined;
  readonly random?: (() => number) | undefined;
}

/** Full-jitter exponential back-off before request number `attempt + 1`. */
export function unprocessedDelayMs(attempt: number, settings: Required<BatchRetrySettings>, random: () => number): number {
  const ceiling = Math.min(settings.maxDelayMs, settings.baseDelayMs * 2 ** (attempt - 1));
  return Math.floor(random() * ceiling);
}

const timerSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Sends `pending` and then whatever `send` reports back as unprocessed, with back-off, until nothing is left.
 * Throws a StateError when items are still unprocessed after `maxAttempts` requests. Returns the request count.
 */
export async function retryUnprocessed<T>(
  pending: readonly T[],
  send: (items: readonly T[]) => Promise<readonly T[]>,
  options: RetryUnprocessedOptions,
): Promise<number> {
  const settings = { ...DEFAULT_BATCH_RETRY, ...options.settings };
  const sleep = options.sleep ?? timerSleep;
  const random = options.random ?? Math.random;
  let left = pending;
  let attempts = 0;
  while (left.length > 0) {
    if (attempts >= settings.maxAttempts) {
      throw new StateError(`${left.length} item(s) still unprocessed after ${attempts} requests (throttled)`, {
        operation: options.operation,
      });
    }
    if (attempts > 0) await sleep(unprocessedDelayMs(attempts, settings, random));
    attempts += 1;
    left = await send(left);
  }
  return attempts;
}
