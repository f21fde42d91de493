import { RE2JS } from 're2js';
import { describe, expect, it } from 'vitest';
import { findExpiryDate } from '../../lambda/policy/find-expiry-date.ts';

const pattern = RE2JS.compile('expires[:=](\\d{4}-\\d{2}-\\d{2})');

describe('Function: findExpiryDate', () => {
  it('returns the captured date', () => {
    expect(findExpiryDate('ci deploy; expires=2024-02-29', pattern)).toBe('2024-02-29');
  });

  it.each(['no date here', 'expires:2025-02-29', 'expires:2025-13-01', 'expires:2025-06-00', 'expires:2025-6-1'])(
    'returns undefined for %j',
    (desc) => {
      expect(findExpiryDate(desc, pattern)).toBeUndefined();
    },
  );

  it('returns undefined when the pattern has no capture group', () => {
    expect(findExpiryDate('expires:2020-01-01', RE2JS.compile('expires'))).toBeUndefined();
  });

  it('returns undefined when an optional capture group did not take part in the match', () => {
    expect(findExpiryDate('expires', RE2JS.compile('expires(:\\d{4}-\\d{2}-\\d{2})?'))).toBeUndefined();
  });

  it('returns undefined when the capture is not a bare date', () => {
    expect(findExpiryDate('expires:2020-01-01T00:00', RE2JS.compile('expires:(\\S+)'))).toBeUndefined();
  });
});
