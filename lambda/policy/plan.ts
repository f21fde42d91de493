import { buildEntryGuard } from './build-entry-guard.ts';
import { buildKeyGuard } from './build-key-guard.ts';
import { compilePattern } from './compile-pattern.ts';
import { orderActions } from './order-actions.ts';
import { planKey } from './plan-key.ts';
import type { Policy } from './schema.ts';
import type { Action, Finding, Inventory, Plan } from './types.ts';

/**
 * Decides what to remove from one organization at `now`. Pure: no I/O, no clock; the same input gives the
 * same plan, and the input is not changed. Unknown is never stale, self and protected keys are never touched,
 * pruning never changes a key's idle time, and actions come least destructive first. The write budget is not
 * the planner's: the executor reserves it per write.
 * @throws TypeError when `now` is an invalid Date (a caller's bug, not data).
 */
export function plan(inventory: Inventory, policy: Policy, now: Date): Plan {
  const nowMs = now.getTime();
  if (Number.isNaN(nowMs)) throw new TypeError('plan: now must be a valid Date');
  const keys = Array.isArray(inventory.keys) ? inventory.keys : [];
  const context = {
    orgId: inventory.orgId,
    policy,
    nowMs,
    today: now.toISOString().slice(0, 10),
    guardKey: buildKeyGuard(policy.protectedKeys, inventory.selfPublicKey),
    guardEntry: buildEntryGuard(policy.protectedEntries),
    expiryPattern: policy.expiryPattern === undefined ? undefined : compilePattern(policy.expiryPattern),
    duplicateIds: duplicatesOf(keys.map((item) => item.key.id)),
  };

  const actions: Action[] = [];
  const findings: Finding[] = [];
  let entriesScanned = 0;
  for (const item of keys) {
    const keyPlan = planKey(item, context);
    actions.push(...keyPlan.actions);
    findings.push(...keyPlan.findings);
    entriesScanned += Array.isArray(item.accessList) ? item.accessList.length : 0;
  }
  return {
    orgId: inventory.orgId,
    actions: orderActions(actions),
    findings,
    keysScanned: keys.length,
    entriesScanned,
  };
}

function duplicatesOf(ids: readonly string[]): ReadonlySet<string> {
  const seen = new Set<string>();
  const duplicates = new Set<string>();
  for (const id of ids) (seen.has(id) ? duplicates : seen).add(id);
  return duplicates;
}
