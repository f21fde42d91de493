import { describe, expect, it } from 'vitest';
import { cidrOverlap } from '../../lambda/policy/cidr-overlap.ts';
import { parseAccessListEntry } from '../../lambda/validation/access-list-entry.ts';

const overlap = (a: string, b: string) => cidrOverlap(parseAccessListEntry(a), parseAccessListEntry(b));

describe('Function: cidrOverlap', () => {
  it.each([
    ['10.0.0.1', '10.0.0.1'],
    ['10.0.0.1', '10.0.0.0/24'],
    ['10.0.0.0/8', '10.200.3.4'],
    ['10.0.0.5/24', '10.0.0.200'],
    ['0.0.0.0/0', '203.0.113.9'],
    ['2001:db8::1', '2001:DB8:0:0:0:0:0:1'],
    ['2001:db8::/32', '2001:db8:ffff::1'],
    ['::ffff:10.0.0.1', '10.0.0.1'],
    ['::/0', '10.0.0.1'],
  ])('%s overlaps %s', (a, b) => {
    expect(overlap(a, b)).toBe(true);
    expect(overlap(b, a)).toBe(true);
  });

  it.each([
    ['10.0.0.1', '10.0.0.2'],
    ['10.0.0.0/25', '10.0.0.128/25'],
    ['2001:db8::/32', '2001:db9::1'],
    ['2001:db8::1', '10.0.0.1'],
  ])('%s does not overlap %s', (a, b) => {
    expect(overlap(a, b)).toBe(false);
    expect(overlap(b, a)).toBe(false);
  });
});
