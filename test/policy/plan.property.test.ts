import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { plan } from '../../lambda/policy/plan.ts';
import { refusePrune } from '../../lambda/policy/refuse-prune.ts';
import type { Action, ActionKind, Inventory, Plan } from '../../lambda/policy/types.ts';
import { inventory, laterThanNow, policy } from './arbitraries.ts';
import { NOW } from './factories.ts';
import {
  addressOf,
  applyPrunes,
  deletionDate,
  isProtectedEntry,
  isStale,
  isUntouchable,
  keyIdleDays,
  retiredOn,
} from './oracle.ts';

const RUNS = { numRuns: 300 };

const actionsFor = (result: Plan, apiUserId: string) => result.actions.filter((action) => action.apiUserId === apiUserId);
const isKeyLevel = (action: Action) => action.kind === 'deleteOrgKey' || action.kind === 'unassignFromProject';
const identity = (action: Action) =>
  `${action.kind} ${action.apiUserId} ${action.kind === 'pruneAccessListEntry' ? action.entry : action.kind === 'unassignFromProject' ? action.groupId : ''}`;

/** Keys listed once: a key listed twice is left alone, so the per-key rules speak about these. */
const singleKeys = (inv: Inventory) =>
  inv.keys.filter((item) => inv.keys.filter((other) => other.key.id === item.key.id).length === 1);

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

// A generous bound, not a timing assertion: hundreds of generated cases on a shared, busy machine.
describe('Function: plan (properties)', { timeout: 120_000 }, () => {
  it('(a) never targets the self key or a protected key', () => {
    fc.assert(
      fc.property(inventory, policy, (inv, pol) => {
        const result = plan(inv, pol, NOW);
        for (const { key } of inv.keys) {
          if (isUntouchable(key, inv, pol)) expect(actionsFor(result, key.id)).toEqual([]);
        }
      }),
      RUNS,
    );
  });

  it('(b) never gives a key both deleteOrgKey and any other action', () => {
    fc.assert(
      fc.property(inventory, policy, (inv, pol) => {
        const result = plan(inv, pol, NOW);
        for (const { key } of inv.keys) {
          const own = actionsFor(result, key.id);
          if (own.some((action) => action.kind === 'deleteOrgKey')) expect(own).toHaveLength(1);
        }
      }),
      RUNS,
    );
  });

  it('(c) deletes and unassigns only keys fully known and idle past the matching limit, unless dated', () => {
    fc.assert(
      fc.property(inventory, policy, (inv, pol) => {
        const result = plan(inv, pol, NOW);
        for (const { key, accessList } of singleKeys(inv)) {
          for (const action of actionsFor(result, key.id).filter(isKeyLevel)) {
            if (action.evidence.expiresOn !== undefined) continue;
            const limit = action.kind === 'deleteOrgKey' ? pol.deleteAfterIdleDays : pol.unassignAfterIdleDays;
            const idle = keyIdleDays(accessList, NOW);
            expect(idle).toBeDefined();
            expect(action.evidence).toMatchObject({ idleDays: idle, limitDays: limit });
            expect(idle).toBeGreaterThanOrEqual(limit);
          }
        }
      }),
      RUNS,
    );
  });

  it('(d) never deletes or unassigns a key without entries or of unknown usage, unless dated', () => {
    fc.assert(
      fc.property(inventory, policy, (inv, pol) => {
        const result = plan(inv, pol, NOW);
        for (const { key, accessList } of inv.keys) {
          if (keyIdleDays(accessList, NOW) !== undefined) continue;
          const keyLevel = actionsFor(result, key.id).filter(isKeyLevel);
          const date = deletionDate(key, pol, NOW);
          if (date === undefined) expect(keyLevel).toEqual([]);
          else for (const action of keyLevel) expect(action.evidence.expiresOn).toBe(date);
        }
      }),
      RUNS,
    );
  });

  it('(e) never prunes every entry of a key, a protected entry, or an address with a non-stale entry', () => {
    fc.assert(
      fc.property(inventory, policy, (inv, pol) => {
        const result = plan(inv, pol, NOW);
        for (const { key, accessList } of inv.keys) {
          const pruned = new Set(
            actionsFor(result, key.id).flatMap((action) => (action.kind === 'pruneAccessListEntry' ? [action.entry] : [])),
          );
          if (pruned.size === 0) continue;
          const remaining = accessList.map(addressOf).filter((address) => address !== undefined && !pruned.has(address));
          expect(remaining.length).toBeGreaterThan(0);
          for (const entry of pruned) {
            expect(isProtectedEntry(entry, pol)).toBe(false);
            const withAddress = accessList.filter((candidate) => addressOf(candidate) === entry);
            expect(withAddress.every((candidate) => isStale(candidate, pol, NOW))).toBe(true);
          }
        }
      }),
      RUNS,
    );
  });

  it("(f) never changes a key's idle time by pruning, now or at any later time", () => {
    fc.assert(
      fc.property(inventory, policy, laterThanNow, (inv, pol, later) => {
        const after = applyPrunes(inv, plan(inv, pol, NOW).actions);
        inv.keys.forEach(({ accessList }, index) => {
          const survivors = after.keys[index]?.accessList ?? [];
          expect(keyIdleDays(survivors, NOW)).toBe(keyIdleDays(accessList, NOW));
          expect(keyIdleDays(survivors, later)).toBe(keyIdleDays(accessList, later));
        });
      }),
      RUNS,
    );
  });

  it('(g) planned again after its own prunes, yields no stage it did not plan, and no further prune', () => {
    fc.assert(
      fc.property(inventory, policy, (inv, pol) => {
        const first = plan(inv, pol, NOW);
        const second = plan(applyPrunes(inv, first.actions), pol, NOW);
        const stages = new Set(first.actions.filter(isKeyLevel).map(identity));
        for (const action of second.actions) {
          expect(action.kind, identity(action)).not.toBe('pruneAccessListEntry');
          expect(stages.has(identity(action)), `${identity(action)} appeared after the prunes`).toBe(true);
        }
      }),
      RUNS,
    );
  });

  it('(h) is deterministic and does not mutate its input', () => {
    fc.assert(
      fc.property(inventory, policy, (inv, pol) => {
        const before = structuredClone({ inv, pol });
        const frozenInventory = deepFreeze(structuredClone(inv));
        const frozenPolicy = deepFreeze(structuredClone(pol));
        const first = plan(frozenInventory, frozenPolicy, NOW);
        const second = plan(frozenInventory, frozenPolicy, new Date(NOW.getTime()));
        expect(second).toEqual(first);
        expect(plan(inv, pol, NOW)).toEqual(first);
        expect({ inv, pol }).toEqual(before);
      }),
      RUNS,
    );
  });

  it('(i) keeps every action at a later time, or upgrades the key to a delete', () => {
    fc.assert(
      fc.property(inventory, policy, laterThanNow, (inv, pol, later) => {
        const early = plan(inv, pol, NOW);
        const late = plan(inv, pol, later);
        const lateIds = new Set(late.actions.map(identity));
        for (const action of early.actions) {
          if (lateIds.has(identity(action))) continue;
          const upgraded = actionsFor(late, action.apiUserId).some((candidate) => candidate.kind === 'deleteOrgKey');
          expect(upgraded, `${identity(action)} dropped at ${later.toISOString()}`).toBe(true);
        }
      }),
      RUNS,
    );
  });

  it('(j) orders kinds prune < unassign < delete', () => {
    const rank: Record<ActionKind, number> = { pruneAccessListEntry: 0, unassignFromProject: 1, deleteOrgKey: 2 };
    fc.assert(
      fc.property(inventory, policy, (inv, pol) => {
        const ranks = plan(inv, pol, NOW).actions.map((action) => rank[action.kind]);
        expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
      }),
      RUNS,
    );
  });

  it('(k) deletes every key whose retirement tag date has passed, unless it is untouchable', () => {
    fc.assert(
      fc.property(inventory, policy, laterThanNow, (inv, pol, at) => {
        const result = plan(inv, pol, at);
        for (const { key } of singleKeys(inv)) {
          const own = actionsFor(result, key.id);
          const retired = retiredOn(key, at);
          if (retired === undefined || isUntouchable(key, inv, pol)) continue;
          expect(own).toMatchObject([
            { kind: 'deleteOrgKey', reason: `retired by rotation: retire-after ${retired} passed`, evidence: { expiresOn: retired } },
          ]);
        }
      }),
      RUNS,
    );
  });

  it("(l) agrees with the executor's re-check: every planned prune passes refusePrune on the same list", () => {
    fc.assert(
      fc.property(inventory, policy, (inv, pol) => {
        const result = plan(inv, pol, NOW);
        for (const action of result.actions) {
          if (action.kind !== 'pruneAccessListEntry') continue;
          const item = inv.keys.find(({ key }) => key.id === action.apiUserId);
          expect(refusePrune(item?.accessList ?? [], action.entry, pol, NOW)).toBeUndefined();
        }
      }),
      RUNS,
    );
  });
});
