import { describe, expect, it } from 'vitest';
import { parseTimestamp } from '../../lambda/policy/parse-timestamp.ts';

describe('Function: parseTimestamp', () => {
  it.each([
    ['2025-06-01T12:00:00Z', Date.UTC(2025, 5, 1, 12)],
    ['2025-06-01T12:00:00.123Z', Date.UTC(2025, 5, 1, 12, 0, 0, 123)],
    ['2025-06-01T12:00:00.123456789Z', Date.UTC(2025, 5, 1, 12, 0, 0, 123)],
    ['2025-06-01T14:30:00+02:30', Date.UTC(2025, 5, 1, 12)],
    ['2024-02-29T00:00:00Z', Date.UTC(2024, 1, 29)],
    ['0099-01-01T00:00:00Z', new Date('0099-01-01T00:00:00Z').getTime()],
  ])('reads %s', (text, expected) => {
    expect(parseTimestamp(text)).toBe(expected);
  });

  it.each([
    undefined,
    null,
    1717243200000,
    '',
    'yesterday',
    '2025-06-01',
    '2025-06-01T12:00:00',
    '2025-02-29T00:00:00Z',
    '2025-04-31T00:00:00Z',
    '2025-13-01T00:00:00Z',
    '2025-06-01T24:00:00Z',
    '2025-06-01T12:60:00Z',
    '2025-06-01T12:00:00+24:00',
    ' 2025-06-01T12:00:00Z',
  ])('returns undefined for %j', (value) => {
    expect(parseTimestamp(value)).toBeUndefined();
  });
});
