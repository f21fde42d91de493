/** Resolves after `ms`, or rejects with the signal's reason as soon as it fires. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0 && !signal?.aborted) return Promise.resolve();
  return race(
    new Promise<void>((resolve) => {
      const onAbort = () => clearTimeout(timer);
      // The listener goes when the timer fires: a signal that outlives many sleeps must not collect them.
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
    signal,
  );
}

/** `promise`, unless `signal` fires first (then rejects with its reason). The promise itself runs on. */
export function race<T>(promise: Promise<T>, signal?: AbortSignal): Promise<T> {
  if (signal === undefined) return promise;
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

/** One signal for a whole call: the caller's, and a timer that fires at `deadline` (epoch ms). */
export function callSignal(deadline: number | undefined, signal: AbortSignal | undefined, now: number): AbortSignal | undefined {
  const signals: AbortSignal[] = [];
  if (signal !== undefined) signals.push(signal);
  if (deadline !== undefined) signals.push(AbortSignal.timeout(Math.max(0, deadline - now)));
  if (signals.length === 0) return undefined;
  return signals.length === 1 ? signals[0] : AbortSignal.any(signals);
}
