import { describe, expect, it } from 'vitest';
import { policyDigest } from '../../lambda/policy/policy-digest.ts';
import type { PolicyInput } from '../../lambda/policy/schema.ts';
import { buildPolicy, ORG_ID } from './factories.ts';

describe('Function: policyDigest', () => {
  it('is 32 hex digits, equal for equal policies parsed separately', () => {
    const digest = policyDigest(buildPolicy({ expiryPattern: 'expires:(\\S+)' }));

    expect(digest).toMatch(/^[0-9a-f]{32}$/);
    expect(policyDigest(buildPolicy({ expiryPattern: 'expires:(\\S+)' }))).toBe(digest);
  });

  it.each<[string, Omit<Partial<PolicyInput>, 'orgs'>]>([
    ['accessListIdleDays', { accessListIdleDays: 91 }],
    ['neverUsedGraceDays', { neverUsedGraceDays: 31 }],
    ['unassignAfterIdleDays', { unassignAfterIdleDays: 91 }],
    ['deleteAfterIdleDays', { deleteAfterIdleDays: 181 }],
    ['keysWithoutAccessList', { keysWithoutAccessList: 'ignore' }],
    ['expiryPattern', { expiryPattern: 'expires:(\\S+)' }],
    ['protectedKeys.ids', { protectedKeys: { ids: ['0123456789abcdef0123456a'] } }],
    ['protectedKeys.publicKeys', { protectedKeys: { publicKeys: ['abcdefgh'] } }],
    ['protectedKeys.descriptionPatterns', { protectedKeys: { descriptionPatterns: ['^keep'] } }],
    ['protectedEntries', { protectedEntries: ['192.0.2.1'] }],
  ])('changes when %s changes', (_, change) => {
    expect(policyDigest(buildPolicy(change))).not.toBe(policyDigest(buildPolicy()));
  });

  it.each<[string, Omit<Partial<PolicyInput>, 'orgs'>]>([
    ['dryRun', { dryRun: false }],
    ['commands', { commands: 'reject' }],
    ['maxWritesPerOrgPerDay', { maxWritesPerOrgPerDay: 7 }],
    ['rateLimitShare', { rateLimitShare: 1 }],
    ['fullReadEveryDays', { fullReadEveryDays: 1 }],
  ])('does not change when %s changes (it does not decide a plan)', (_, change) => {
    expect(policyDigest(buildPolicy(change))).toBe(policyDigest(buildPolicy()));
  });

  it('does not change with the list of orgs', () => {
    const two = buildPolicy();
    const more = { ...two, orgs: [{ orgId: ORG_ID }, { orgId: 'fedcba9876543210fedcba98' }] };

    expect(policyDigest(more)).toBe(policyDigest(two));
  });
});
