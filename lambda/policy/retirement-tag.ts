import { isCalendarDate } from './is-calendar-date.ts';

/**
 * The fixed retirement tag. A key whose description contains `atlas-key-worker:retire-after=YYYY-MM-DD` is
 * deleted by the sweep once that UTC date has passed (from the next day on), whatever `expiryPattern` says;
 * protected keys and the worker's own key are still never touched. Rotation writes it on the superseded key.
 */
export const RETIREMENT_TAG_PREFIX = 'atlas-key-worker:retire-after=';

// The date must end at a non-digit, so `…=2025-06-011` is not read as 2025-06-01.
const TAG = /atlas-key-worker:retire-after=(\d{4}-\d{2}-\d{2})(?!\d)/g;

/** The tag for `date`: a `Date` (its UTC day) or a `YYYY-MM-DD` string. @throws RangeError for anything else. */
export function formatRetirementTag(date: Date | string): string {
  const day = typeof date === 'string' ? date : Number.isNaN(date.getTime()) ? '' : date.toISOString().slice(0, 10);
  if (!isCalendarDate(day)) throw new RangeError(`retirement date must be a real YYYY-MM-DD date, given ${JSON.stringify(String(date))}`);
  return `${RETIREMENT_TAG_PREFIX}${day}`;
}

/**
 * The retirement date in `desc`, or `undefined` when it holds no tag with a real calendar date. With several
 * tags, the latest date wins: retiring later is the safe reading.
 */
export function findRetirementDate(desc: unknown): string | undefined {
  if (typeof desc !== 'string' || !desc.includes(RETIREMENT_TAG_PREFIX)) return undefined;
  let latest: string | undefined;
  for (const [, date = ''] of desc.matchAll(TAG)) {
    if (isCalendarDate(date) && (latest === undefined || date > latest)) latest = date;
  }
  return latest;
}
