import { createHash } from 'node:crypto';
import { RETIREMENT_TAG_PREFIX } from './retirement-tag.ts';
import type { Policy } from './schema.ts';

// Bump when the planner's rules change in a way a stored next-due could not know about.
const RULES_VERSION = 2;

/**
 * A stable hash (32 hex digits) of what decides a plan: the limits, the patterns, the protections, plus the
 * rules' version. Fields that do not change what the planner decides (orgs, dry run, budget, rate share,
 * commands, full-read period) are left out, so editing them does not force every key to be read again.
 */
export function policyDigest(policy: Policy): string {
  const planning = [
    RULES_VERSION,
    RETIREMENT_TAG_PREFIX,
    policy.accessListIdleDays,
    policy.neverUsedGraceDays,
    policy.unassignAfterIdleDays,
    policy.deleteAfterIdleDays,
    policy.keysWithoutAccessList,
    policy.expiryPattern ?? null,
    policy.protectedKeys.ids,
    policy.protectedKeys.publicKeys,
    policy.protectedKeys.descriptionPatterns,
    policy.protectedEntries,
  ];
  return createHash('sha256').update(JSON.stringify(planning)).digest('hex').slice(0, 32);
}
