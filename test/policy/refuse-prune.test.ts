import { describe, expect, it } from 'vitest';
import { refusePrune } from '../../lambda/policy/refuse-prune.ts';
import { buildPolicy, NOW, unusedEntry, usedEntry } from './factories.ts';

const FRESH = '198.51.100.1';
const OLD = '198.51.100.2';

describe('Function: refusePrune', () => {
  it('allows a stale entry that is neither protected, nor the newest evidence, nor the last', () => {
    expect(refusePrune([usedEntry(OLD, 100), usedEntry(FRESH, 1)], `${OLD}/32`, buildPolicy(), NOW)).toBeUndefined();
  });

  it('refuses a protected entry', () => {
    const refusal = refusePrune([usedEntry(OLD, 100), usedEntry(FRESH, 1)], OLD, buildPolicy({ protectedEntries: ['198.51.100.0/24'] }), NOW);

    expect(refusal).toBe(`entry ${OLD} is protected by policy (198.51.100.0/24)`);
  });

  it("refuses the entry holding the key's newest evidence, even when stale", () => {
    const refusal = refusePrune([usedEntry(OLD, 300), unusedEntry(FRESH, 31)], FRESH, buildPolicy(), NOW);

    expect(refusal).toMatch(/holds the key's newest usage evidence/);
  });

  it('refuses an entry used since the plan (no longer stale), unless told staleness does not matter', () => {
    const list = [usedEntry(OLD, 10), usedEntry(FRESH, 1)];

    expect(refusePrune(list, OLD, buildPolicy(), NOW)).toBe(`entry ${OLD} is no longer stale`);
    expect(refusePrune(list, OLD, buildPolicy(), NOW, { requireStale: false })).toBeUndefined();
  });

  it("refuses the key's last address (entries without a valid address do not count)", () => {
    // No timestamps: not the newest evidence, and staleness waived, so only the last-address rule speaks.
    const refusal = refusePrune([{ ipAddress: 'nope' }, { cidrBlock: OLD }], OLD, buildPolicy(), NOW, { requireStale: false });

    expect(refusal).toBe(`entry ${OLD} is the key's last access-list entry: an empty list would widen access; revoke the key instead`);
  });

  it('does not refuse an entry that is already gone: the DELETE will find it absent', () => {
    expect(refusePrune([usedEntry(FRESH, 1)], OLD, buildPolicy(), NOW)).toBeUndefined();
  });

  it('refuses text that is not an address', () => {
    expect(refusePrune([usedEntry(FRESH, 1)], 'my-office', buildPolicy(), NOW)).toBe('not an IP address or CIDR block');
  });
});
