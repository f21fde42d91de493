import type { RE2JS } from 're2js';
import type { ApiKey } from '../atlas/types.ts';
import { assessEntry } from './assess-entry.ts';
import { assessKeyUsage } from './assess-key-usage.ts';
import type { EntryGuard } from './build-entry-guard.ts';
import type { KeyGuard } from './build-key-guard.ts';
import { findExpiryDate } from './find-expiry-date.ts';
import { keyEvidence } from './key-evidence.ts';
import { projectsOf } from './projects-of.ts';
import { findRetirementDate } from './retirement-tag.ts';
import type { Policy } from './schema.ts';
import { selectPrunes } from './select-prunes.ts';
import type { Action, EntryAssessment, Evidence, Finding, KeyInventory, KeyUsage } from './types.ts';

/** Everything about the run that `planKey` needs, prepared once per plan. */
export interface KeyPlanContext {
  readonly orgId: string;
  readonly policy: Policy;
  readonly nowMs: number;
  /** UTC date of now, `YYYY-MM-DD`. */
  readonly today: string;
  readonly guardKey: KeyGuard;
  readonly guardEntry: EntryGuard;
  /** `policy.expiryPattern` compiled (RE2); `undefined` when absent or invalid (then no key expires by it). */
  readonly expiryPattern: RE2JS | undefined;
  /** Ids listed more than once in the inventory: inconsistent data, so those keys are left alone. */
  readonly duplicateIds: ReadonlySet<string>;
}

export interface KeyPlan {
  readonly actions: readonly Action[];
  readonly findings: readonly Finding[];
}

/**
 * Plans one key, unordered across kinds. A key gets either one `deleteOrgKey` (retired by rotation, expired, or
 * idle past `deleteAfterIdleDays`) and nothing else, or any of: prunes of stale entries (never the one holding
 * the key's newest evidence), and one `unassignFromProject` per project when idle past `unassignAfterIdleDays`.
 * Self and protected keys get a finding only.
 */
export function planKey({ key, accessList }: KeyInventory, context: KeyPlanContext): KeyPlan {
  const { orgId, policy, nowMs } = context;
  const base = keyEvidence(key);
  const finding = (kind: Finding['kind'], reason: string, evidence: Evidence = base): Finding => ({
    orgId,
    apiUserId: key.id,
    kind,
    reason,
    evidence,
  });

  const protection = context.guardKey(key);
  if (protection) return { actions: [], findings: [finding(protection.kind, protection.reason)] };
  if (context.duplicateIds.has(key.id)) {
    return { actions: [], findings: [finding('usage-unknown', 'key listed more than once in the inventory: kept')] };
  }

  const entries = (Array.isArray(accessList) ? accessList : []).map((entry, index) =>
    assessEntry(entry, index, policy, nowMs),
  );
  const usage = assessKeyUsage(entries, nowMs);
  const usageEvidence: Evidence = usage.known
    ? {
        ...base,
        ...(usage.lastUsed !== undefined && { lastUsed: usage.lastUsed }),
        ...(usage.created !== undefined && { created: usage.created }),
        idleDays: usage.idleDays,
      }
    : base;
  const action = { orgId, apiUserId: key.id };

  const retiredOn = findRetirementDate(key.desc);
  if (retiredOn !== undefined && retiredOn < context.today) {
    const reason = `retired by rotation: retire-after ${retiredOn} passed`;
    const evidence = { ...usageEvidence, expiresOn: retiredOn };
    return { actions: [{ ...action, kind: 'deleteOrgKey', reason, evidence }], findings: [] };
  }
  const expiresOn = findExpiry(key, context);
  if (expiresOn !== undefined) {
    const reason = `expired on ${expiresOn} (per description): delete org key`;
    return { actions: [{ ...action, kind: 'deleteOrgKey', reason, evidence: { ...usageEvidence, expiresOn } }], findings: [] };
  }
  const deleteAfter = policy.deleteAfterIdleDays;
  if (usage.known && usage.idleDays >= deleteAfter) {
    const reason = `idle ${usage.idleDays} days ≥ ${deleteAfter}: delete org key`;
    const evidence = { ...usageEvidence, limitDays: deleteAfter };
    return { actions: [{ ...action, kind: 'deleteOrgKey', reason, evidence }], findings: [] };
  }

  const actions: Action[] = [];
  const findings: Finding[] = [];
  if (reportsUnknown(usage, policy)) findings.push(finding('usage-unknown', `${usage.why}: last use unknown, key kept`));

  const { prune, kept } = selectPrunes(entries, context.guardEntry, nowMs);
  for (const { entry, reason } of kept) {
    findings.push(finding('protected-entry', `${describeEntry(entry)}: ${reason}, kept`, entryEvidence(base, entry)));
  }
  for (const entry of prune) {
    const reason = `${describeEntry(entry)}: prune from access list`;
    const evidence = entryEvidence(base, entry);
    actions.push({ ...action, kind: 'pruneAccessListEntry', entry: entry.address!.normalised, reason, evidence });
  }

  const unassignAfter = policy.unassignAfterIdleDays;
  if (usage.known && usage.idleDays >= unassignAfter) {
    const evidence = { ...usageEvidence, limitDays: unassignAfter };
    for (const groupId of projectsOf(key)) {
      const reason = `idle ${usage.idleDays} days ≥ ${unassignAfter}: remove from project ${groupId}`;
      actions.push({ ...action, kind: 'unassignFromProject', groupId, reason, evidence });
    }
  }
  return { actions, findings };
}

/** The key's expiry date when it has passed. A key expiring on a date may be used all that day (UTC). */
function findExpiry(key: ApiKey, { expiryPattern, today }: KeyPlanContext): string | undefined {
  if (expiryPattern === undefined || typeof key.desc !== 'string') return undefined;
  const expiresOn = findExpiryDate(key.desc, expiryPattern);
  return expiresOn !== undefined && expiresOn < today ? expiresOn : undefined;
}

/** A key without entries is reported only if the policy asks; an unreadable entry always is. */
function reportsUnknown(usage: KeyUsage, policy: Policy): usage is Extract<KeyUsage, { known: false }> {
  return !usage.known && (!usage.noEntries || policy.keysWithoutAccessList === 'report');
}

function describeEntry({ address, usage }: EntryAssessment): string {
  if (!usage.known) return `entry ${address?.normalised}`;
  const age = `${usage.idleDays} days ago ≥ ${usage.limitDays}`;
  return usage.field === 'lastUsed'
    ? `entry ${address?.normalised} last used ${age}`
    : `entry ${address?.normalised} never used, created ${age}`;
}

function entryEvidence(base: Evidence, { usage }: EntryAssessment): Evidence {
  if (!usage.known) return base;
  return { ...base, [usage.field]: usage.at, idleDays: usage.idleDays, limitDays: usage.limitDays };
}
