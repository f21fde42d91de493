/**
 * `Retry-After` as milliseconds from `now`: delay-seconds (RFC 9110 §10.2.3) or an HTTP date (a past date
 * means 0). `undefined` when absent or unreadable.
 */
export function parseRetryAfter(value: string | readonly string[] | undefined, now: number): number | undefined {
  const text = (typeof value === 'string' ? value : value?.[0])?.trim();
  if (text === undefined || text === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  // Only full HTTP dates: Date.parse alone would accept odd strings like "5".
  if (!/[a-z]{3},? .*\d{2}:\d{2}:\d{2}/i.test(text)) return undefined;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}
