import type { Action, Plan } from './types.ts';

/**
 * Enforces `maxDeletionsPerRun`: when this plan's writes plus those already made in the run exceed the limit,
 * none is executed (a plan that large usually means bad data or a bad policy). Written as "not within" so that
 * a NaN anywhere trips the cap instead of passing it.
 */
export function applyCap(
  actions: readonly Action[],
  limit: number,
  priorWrites = 0,
): Pick<Plan, 'actions' | 'capTripped'> {
  // A negative count is bad data; it must not buy extra writes.
  const within = actions.length + Math.max(0, priorWrites) <= limit;
  if (within) return { actions };
  return { actions: [], capTripped: { limit, planned: actions.length, priorWrites } };
}
