import { describe, expect, it } from 'vitest';
import { findRetirementDate, formatRetirementTag, RETIREMENT_TAG_PREFIX } from '../../lambda/policy/retirement-tag.ts';

describe('Constant: RETIREMENT_TAG_PREFIX', () => {
  it('is the documented, fixed format', () => {
    expect(RETIREMENT_TAG_PREFIX).toBe('atlas-key-worker:retire-after=');
  });
});

describe('Function: formatRetirementTag', () => {
  it('writes the UTC day of a Date', () => {
    expect(formatRetirementTag(new Date('2025-06-08T23:59:59-02:00'))).toBe('atlas-key-worker:retire-after=2025-06-09');
  });

  it('writes a YYYY-MM-DD date as given', () => {
    expect(formatRetirementTag('2024-02-29')).toBe('atlas-key-worker:retire-after=2024-02-29');
  });

  it.each(['2025-02-30', '2025-6-1', 'tomorrow', ''])('fails if the date is %j', (date) => {
    expect(() => formatRetirementTag(date)).toThrow(RangeError);
  });

  it('fails if the Date is invalid', () => {
    expect(() => formatRetirementTag(new Date(Number.NaN))).toThrow(/real YYYY-MM-DD date/);
  });

  it('round-trips through findRetirementDate', () => {
    expect(findRetirementDate(`app key (rotated) ${formatRetirementTag('2031-12-31')}`)).toBe('2031-12-31');
  });
});

describe('Function: findRetirementDate', () => {
  it('finds the tag anywhere in the description', () => {
    expect(findRetirementDate('rotated by token abc; atlas-key-worker:retire-after=2025-06-08 (was ci)')).toBe('2025-06-08');
  });

  it.each([
    ['no tag', 'ci key'],
    ['a date that does not exist', 'atlas-key-worker:retire-after=2025-02-29'],
    ['a date followed by more digits', 'atlas-key-worker:retire-after=2025-06-011'],
    ['a short date', 'atlas-key-worker:retire-after=2025-6-1'],
    ['another prefix', 'atlas-key-worker:retire=2025-06-01'],
  ])('returns undefined for %s', (_, desc) => {
    expect(findRetirementDate(desc)).toBeUndefined();
  });

  it.each([null, undefined, 42])('returns undefined for a description that is %j', (desc) => {
    expect(findRetirementDate(desc)).toBeUndefined();
  });

  it('takes the latest date when several tags are present (retiring later is the safe reading)', () => {
    const desc = 'atlas-key-worker:retire-after=2025-07-01 atlas-key-worker:retire-after=2025-06-01';
    expect(findRetirementDate(desc)).toBe('2025-07-01');
  });
});
