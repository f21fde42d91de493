const DAY_MS = 86_400_000;

/**
 * The first instant at which `wholeDaysSince(thenMs, now) ≥ limitDays`: `thenMs + limitDays` days. A limit of 0
 * or less is reached at any time. One definition for the planner (is it stale now?) and next-due (when?).
 */
export function limitReachedAt(thenMs: number, limitDays: number): number {
  return limitDays <= 0 ? Number.NEGATIVE_INFINITY : thenMs + limitDays * DAY_MS;
}
