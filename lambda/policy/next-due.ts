import { assessEntry } from './assess-entry.ts';
import { assessKeyUsage } from './assess-key-usage.ts';
import { buildEntryGuard } from './build-entry-guard.ts';
import { buildKeyGuard } from './build-key-guard.ts';
import { compilePattern } from './compile-pattern.ts';
import { findExpiryDate } from './find-expiry-date.ts';
import { groupByAddress } from './group-by-address.ts';
import { limitReachedAt } from './limit-reached-at.ts';
import { projectsOf } from './projects-of.ts';
import { findRetirementDate } from './retirement-tag.ts';
import type { Policy } from './schema.ts';
import type { KeyInventory } from './types.ts';

const DAY_MS = 86_400_000;

export interface NextDueOptions {
  /** The worker's own public key: that key never comes due. */
  readonly selfPublicKey?: string;
}

/**
 * The earliest instant (epoch ms, never before `now`) at which `plan` under `policy` could produce an action
 * for this key from what was read: `now` itself when it already would; `null` when nothing could ever come due
 * from this data (a protected key, no usable timestamps and no dates). Candidates: each prunable address's
 * entries' `lastUsed ?? created` + their idle limits, the key's newest evidence + the unassign (when it has
 * projects) and delete limits, the day after a retirement-tag or `expiryPattern` date. Exact: planning at the
 * returned instant yields an action for the key (unless the inventory lists it twice). Pure.
 * @throws TypeError when `now` is an invalid Date.
 */
export function nextDue(item: KeyInventory, policy: Policy, now: Date, options: NextDueOptions = {}): number | null {
  const nowMs = now.getTime();
  if (Number.isNaN(nowMs)) throw new TypeError('nextDue: now must be a valid Date');
  const { key, accessList } = item;
  if (buildKeyGuard(policy.protectedKeys, options.selfPublicKey)(key) !== undefined) return null;

  let due = Number.POSITIVE_INFINITY;
  const consider = (atMs: number) => {
    due = Math.min(due, atMs);
  };
  const retiredOn = findRetirementDate(key.desc);
  if (retiredOn !== undefined) consider(dayAfter(retiredOn));
  const expiryPattern = policy.expiryPattern === undefined ? undefined : compilePattern(policy.expiryPattern);
  const expiresOn = expiryPattern && typeof key.desc === 'string' ? findExpiryDate(key.desc, expiryPattern) : undefined;
  if (expiresOn !== undefined) consider(dayAfter(expiresOn));

  const entries = (Array.isArray(accessList) ? accessList : []).map((entry, index) =>
    assessEntry(entry, index, policy, nowMs),
  );
  const usage = assessKeyUsage(entries, nowMs);
  if (usage.known) {
    consider(limitReachedAt(usage.newestMs, policy.deleteAfterIdleDays));
    if (projectsOf(key).length > 0) consider(limitReachedAt(usage.newestMs, policy.unassignAfterIdleDays));
  }
  const guardEntry = buildEntryGuard(policy.protectedEntries);
  for (const group of groupByAddress(entries)) {
    // The same rules as `selectPrunes`; `staleAtMs` is Infinity for an address that can never be stale.
    if (!group.holdsNewest && guardEntry(group.address) === undefined) consider(group.staleAtMs);
  }
  return due === Number.POSITIVE_INFINITY ? null : Math.max(due, nowMs);
}

/** A date in a description has passed from the start of the next UTC day. */
function dayAfter(date: string): number {
  return Date.parse(`${date}T00:00:00Z`) + DAY_MS;
}
