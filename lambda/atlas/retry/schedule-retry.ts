import type { RetryPolicy } from '../types.ts';
import { backoffDelay } from './backoff-delay.ts';

export interface ScheduleInput {
  /** 0 for the first retry. */
  readonly retryIndex: number;
  readonly policy: RetryPolicy;
  readonly random: () => number;
  /** From the failed attempt's `Retry-After`, if any: the server knows best when capacity returns. */
  readonly retryAfterMs: number | undefined;
  readonly now: number;
  readonly deadline: number | undefined;
}

export type Schedule = { readonly delayMs: number } | { readonly giveUp: 'deadline' };

/** When to try again; `giveUp` when that moment lies past the caller's deadline (never sleep past it). */
export function scheduleRetry(input: ScheduleInput): Schedule {
  const delayMs = input.retryAfterMs ?? backoffDelay(input.retryIndex, input.policy, input.random);
  if (input.deadline !== undefined && input.now + delayMs >= input.deadline) return { giveUp: 'deadline' };
  return { delayMs };
}
