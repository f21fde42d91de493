const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * The expiry date (`YYYY-MM-DD`) that `pattern`'s first capture group finds in `desc`, or `undefined` when
 * there is no match, no capture, or the capture is not a real calendar date (`2024-02-30`, `2024-13-01`).
 */
export function findExpiryDate(desc: string, pattern: RegExp): string | undefined {
  const capture = pattern.exec(desc)?.[1];
  if (capture === undefined) return undefined;
  const match = ISO_DATE.exec(capture);
  if (!match) return undefined;
  const [year, month, day] = match.slice(1).map(Number) as [number, number, number];
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  // A date that rolled over (Feb 30 → Mar 1) is not the date that was written.
  const real = date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
  return real ? capture : undefined;
}
