import { describe, expect, it } from 'vitest';
import { nextDue } from '../../lambda/policy/next-due.ts';
import { plan } from '../../lambda/policy/plan.ts';
import {
  buildInventory,
  buildKey,
  buildPolicy,
  daysAgo,
  keyInventory,
  NOW,
  objectId,
  projectRoles,
  unusedEntry,
  usedEntry,
} from './factories.ts';

const DAY_MS = 86_400_000;
const FRESH = '198.51.100.1';
const OLD = '198.51.100.2';
const PROJECT_A = objectId(0xa);
const at = (iso: string) => Date.parse(iso);

describe('Function: nextDue', () => {
  it('is the key-level unassign limit after its newest evidence, when it has projects', () => {
    const item = keyInventory(buildKey(1, { roles: projectRoles(PROJECT_A) }), [usedEntry(FRESH, 10)]);

    expect(nextDue(item, buildPolicy({ unassignAfterIdleDays: 90 }), NOW)).toBe(at(daysAgo(10)) + 90 * DAY_MS);
  });

  it('is the delete limit for a key without projects (an unassign would do nothing)', () => {
    const item = keyInventory(buildKey(1), [usedEntry(FRESH, 10)]);

    expect(nextDue(item, buildPolicy({ deleteAfterIdleDays: 180 }), NOW)).toBe(at(daysAgo(10)) + 180 * DAY_MS);
  });

  it('is when the first prunable entry goes stale, when that comes first', () => {
    const item = keyInventory(buildKey(1, { roles: projectRoles(PROJECT_A) }), [usedEntry(OLD, 80), usedEntry(FRESH, 10)]);

    expect(nextDue(item, buildPolicy({ accessListIdleDays: 90 }), NOW)).toBe(at(daysAgo(80)) + 90 * DAY_MS);
  });

  it('does not count the entry holding the newest evidence, nor a protected one, as prunable', () => {
    const item = keyInventory(buildKey(1), [unusedEntry(FRESH, 20), usedEntry(OLD, 85)]);

    const due = nextDue(item, buildPolicy({ protectedEntries: [OLD], deleteAfterIdleDays: 180 }), NOW);

    // Neither entry can ever be pruned: only the delete, 180 days after the newest evidence (the creation).
    expect(due).toBe(at(daysAgo(20)) + 180 * DAY_MS);
  });

  it('is the start of the UTC day after a retirement tag date, regardless of expiryPattern', () => {
    const item = keyInventory(buildKey(1, { desc: 'atlas-key-worker:retire-after=2025-06-05' }), [usedEntry(FRESH, 0)]);

    expect(nextDue(item, buildPolicy(), NOW)).toBe(at('2025-06-06T00:00:00Z'));
  });

  it('is the start of the UTC day after an expiry date found by expiryPattern', () => {
    const item = keyInventory(buildKey(1, { desc: 'expires:2025-06-03' }), []);

    expect(nextDue(item, buildPolicy({ expiryPattern: 'expires:(\\d{4}-\\d{2}-\\d{2})' }), NOW)).toBe(at('2025-06-04T00:00:00Z'));
    expect(nextDue(item, buildPolicy(), NOW)).toBeNull();
  });

  it('is now when the plan already has an action for the key', () => {
    const item = keyInventory(buildKey(1), [usedEntry(OLD, 500)]);

    expect(nextDue(item, buildPolicy(), NOW)).toBe(NOW.getTime());
    expect(plan(buildInventory([item]), buildPolicy(), NOW).actions).toHaveLength(1);
  });

  it.each([
    ['a protected key', keyInventory(buildKey(1), [usedEntry(OLD, 500)]), buildPolicy({ protectedKeys: { ids: [objectId(1)] } })],
    ['a key without entries or dates', keyInventory(buildKey(1), []), buildPolicy()],
    ['a key whose only entry has no timestamps', keyInventory(buildKey(1), [{ cidrBlock: OLD }]), buildPolicy()],
  ])('is null for %s: nothing can come due from this data', (_, item, policy) => {
    expect(nextDue(item, policy, NOW)).toBeNull();
  });

  it("is null for the worker's own key", () => {
    const item = keyInventory(buildKey(1), [usedEntry(OLD, 500)]);

    expect(nextDue(item, buildPolicy(), NOW, { selfPublicKey: item.key.publicKey })).toBeNull();
  });

  it('fails if now is an invalid Date', () => {
    expect(() => nextDue(keyInventory(buildKey(1), []), buildPolicy(), new Date(Number.NaN))).toThrow(TypeError);
  });
});
