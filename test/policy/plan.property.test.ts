import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { plan } from '../../lambda/policy/plan.ts';
import type { Action, ActionKind, Inventory, Plan } from '../../lambda/policy/types.ts';
import { inventory, laterThanNow, policy } from './arbitraries.ts';
import { NOW } from './factories.ts';
import { addressOf, expiredOn, isProtectedEntry, isStale, isUntouchable, keyIdleDays } from './oracle.ts';

const RUNS = { numRuns: 300 };
const UNCAPPED = 100_000;

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

describe('Function: plan (properties)', () => {
  it('(a) never targets the self key or a protected key', () => {
    fc.assert(
      fc.property(inventory, policy, (inv, pol) => {
        const result = plan(inv, { ...pol, maxDeletionsPerRun: UNCAPPED }, NOW);
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
        const result = plan(inv, { ...pol, maxDeletionsPerRun: UNCAPPED }, NOW);
        for (const { key } of inv.keys) {
          const own = actionsFor(result, key.id);
          if (own.some((action) => action.kind === 'deleteOrgKey')) expect(own).toHaveLength(1);
        }
      }),
      RUNS,
    );
  });

  it('(c) deletes and unassigns only keys fully known and idle past the matching limit, unless expired', () => {
    fc.assert(
      fc.property(inventory, policy, (inv, pol) => {
        const result = plan(inv, { ...pol, maxDeletionsPerRun: UNCAPPED }, NOW);
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

  it('(d) never deletes or unassigns a key without entries or of unknown usage, unless expired', () => {
    fc.assert(
      fc.property(inventory, policy, (inv, pol) => {
        const result = plan(inv, { ...pol, maxDeletionsPerRun: UNCAPPED }, NOW);
        for (const { key, accessList } of inv.keys) {
          if (keyIdleDays(accessList, NOW) !== undefined) continue;
          const keyLevel = actionsFor(result, key.id).filter(isKeyLevel);
          const expiry = expiredOn(key, pol, NOW);
          if (expiry === undefined) expect(keyLevel).toEqual([]);
          else for (const action of keyLevel) expect(action.evidence.expiresOn).toBe(expiry);
        }
      }),
      RUNS,
    );
  });

  it('(e) never prunes every entry of a key, a protected entry, or an address with a non-stale entry', () => {
    fc.assert(
      fc.property(inventory, policy, (inv, pol) => {
        const result = plan(inv, { ...pol, maxDeletionsPerRun: UNCAPPED }, NOW);
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

  it('(f) keeps within the cap, and trips it exactly when planned + prior writes exceed it', () => {
    fc.assert(
      fc.property(inventory, policy, (inv, pol) => {
        const prior = inv.priorWrites ?? 0;
        const planned = plan(inv, { ...pol, maxDeletionsPerRun: UNCAPPED }, NOW).actions.length;
        const result = plan(inv, pol, NOW);
        if (planned + prior > pol.maxDeletionsPerRun) {
          expect(result.actions).toEqual([]);
          expect(result.capTripped).toEqual({ limit: pol.maxDeletionsPerRun, planned, priorWrites: prior });
        } else {
          expect(result.capTripped).toBeUndefined();
          expect(result.actions).toHaveLength(planned);
          expect(result.actions.length + prior).toBeLessThanOrEqual(pol.maxDeletionsPerRun);
        }
      }),
      RUNS,
    );
  });

  it('(g) is deterministic and does not mutate its input', () => {
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

  it('(h) keeps every non-expiry action at a later time, or upgrades the key to a delete', () => {
    fc.assert(
      fc.property(inventory, policy, laterThanNow, (inv, pol, later) => {
        const uncapped = { ...pol, maxDeletionsPerRun: UNCAPPED };
        const early = plan(inv, uncapped, NOW);
        const late = plan(inv, uncapped, later);
        const lateIds = new Set(late.actions.map(identity));
        for (const action of early.actions) {
          if (action.evidence.expiresOn !== undefined || lateIds.has(identity(action))) continue;
          const lateOwn = actionsFor(late, action.apiUserId);
          const upgraded = lateOwn.some((candidate) => candidate.kind === 'deleteOrgKey');
          // A prune may also vanish when every address of the key has gone stale: never-empty wins.
          const allStale =
            action.kind === 'pruneAccessListEntry' &&
            !lateOwn.some((candidate) => candidate.kind === 'pruneAccessListEntry');
          expect(upgraded || allStale, `${identity(action)} dropped at ${later.toISOString()}`).toBe(true);
        }
      }),
      RUNS,
    );
  });

  it('(i) orders kinds prune < unassign < delete', () => {
    const rank: Record<ActionKind, number> = { pruneAccessListEntry: 0, unassignFromProject: 1, deleteOrgKey: 2 };
    fc.assert(
      fc.property(inventory, policy, (inv, pol) => {
        const ranks = plan(inv, { ...pol, maxDeletionsPerRun: UNCAPPED }, NOW).actions.map((action) => rank[action.kind]);
        expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
      }),
      RUNS,
    );
  });
});
