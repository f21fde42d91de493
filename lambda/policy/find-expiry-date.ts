import type { RE2JS } from 're2js';
import { isCalendarDate } from './is-calendar-date.ts';

/**
 * The expiry date (`YYYY-MM-DD`) that `pattern`'s first capture group finds in `desc`, or `undefined` when
 * there is no match, no capture, or the capture is not a real calendar date (`2024-02-30`, `2024-13-01`).
 */
export function findExpiryDate(desc: string, pattern: RE2JS): string | undefined {
  const capture: unknown = pattern.exec(desc)?.[1];
  return typeof capture === 'string' && isCalendarDate(capture) ? capture : undefined;
}
