const DAY_MS = 86_400_000;

/** Whole days elapsed from `thenMs` to `nowMs`, rounded down. A time in the future counts as now (0 days). */
export function wholeDaysSince(thenMs: number, nowMs: number): number {
  return Math.floor(Math.max(0, nowMs - thenMs) / DAY_MS);
}
