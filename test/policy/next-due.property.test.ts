import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nextDue } from '../../lambda/policy/next-due.ts';
import { plan } from '../../lambda/policy/plan.ts';
import type { Inventory, Plan } from '../../lambda/policy/types.ts';
import { inventory, notBeforeNow, policy } from './arbitraries.ts';
import { NOW } from './factories.ts';

const RUNS = { numRuns: 300 };

const singleKeys = (inv: Inventory) =>
  inv.keys.filter((item) => inv.keys.filter((other) => other.key.id === item.key.id).length === 1);
const actionsFor = (result: Plan, apiUserId: string) => result.actions.filter((action) => action.apiUserId === apiUserId);
const self = (inv: Inventory) => (inv.selfPublicKey === undefined ? {} : { selfPublicKey: inv.selfPublicKey });

// A generous bound, not a timing assertion: hundreds of generated cases on a shared, busy machine.
describe('Function: nextDue (properties)', { timeout: 120_000 }, () => {
  it('(a) no plan before next-due has an action for the key; the plan at next-due has one', () => {
    fc.assert(
      fc.property(inventory, policy, notBeforeNow, (inv, pol, t) => {
        const atT = plan(inv, pol, t);
        for (const item of singleKeys(inv)) {
          // Planning the key alone is planning it within the inventory (it is listed once): cheaper, same answer.
          const planAt = (ms: number) => plan({ ...inv, keys: [item] }, pol, new Date(ms));
          const due = nextDue(item, pol, NOW, self(inv));
          if (due === null || t.getTime() < due) expect(actionsFor(atT, item.key.id)).toEqual([]);
          if (due === null) continue;
          expect(due).toBeGreaterThanOrEqual(NOW.getTime());
          expect(actionsFor(planAt(due), item.key.id).length).toBeGreaterThan(0);
          if (due > NOW.getTime()) expect(actionsFor(planAt(due - 1), item.key.id)).toEqual([]);
        }
      }),
      RUNS,
    );
  });

  it('(b) does not move when computed again at any instant before it', () => {
    fc.assert(
      fc.property(inventory, policy, notBeforeNow, (inv, pol, t) => {
        for (const item of singleKeys(inv)) {
          const due = nextDue(item, pol, NOW, self(inv));
          if (due !== null && t.getTime() <= due) expect(nextDue(item, pol, t, self(inv))).toBe(due);
        }
      }),
      RUNS,
    );
  });
});
