import type { AccessListEntry, ApiKey } from '../../lambda/atlas/types.ts';
import { parsePolicy } from '../../lambda/policy/parse-policy.ts';
import type { Policy, PolicyInput } from '../../lambda/policy/schema.ts';
import type { Inventory, KeyInventory } from '../../lambda/policy/types.ts';

export const ORG_ID = '0123456789abcdef01234567';
export const NOW = new Date('2025-06-01T12:00:00Z');
const DAY_MS = 86_400_000;

/** ISO timestamp `days` before `from` (negative: in the future). */
export function daysAgo(days: number, from: Date = NOW): string {
  return new Date(from.getTime() - days * DAY_MS).toISOString();
}

/** A 24-hex id, distinct per `n`. */
export function objectId(n: number): string {
  return n.toString(16).padStart(24, '0');
}

/** A valid policy with conservative defaults: idle 90, grace 30, unassign 90, delete 180, cap 50. */
export function buildPolicy(overrides: Omit<Partial<PolicyInput>, 'orgs'> = {}): Policy {
  return parsePolicy({ orgs: [{ orgId: ORG_ID }], ...overrides });
}

export function buildKey(n: number, overrides: Partial<ApiKey> = {}): ApiKey {
  return {
    id: objectId(n),
    publicKey: `pk${String(n).padStart(6, '0')}`,
    desc: `key ${n}`,
    roles: [{ orgId: ORG_ID, roleName: 'ORG_MEMBER' }],
    ...overrides,
  };
}

/** An entry for `ipAddress`, used `lastUsedDaysAgo` days ago (created a year before that). */
export function usedEntry(ipAddress: string, lastUsedDaysAgo: number): AccessListEntry {
  return { ipAddress, cidrBlock: ipAddress, created: daysAgo(lastUsedDaysAgo + 365), lastUsed: daysAgo(lastUsedDaysAgo) };
}

/** An entry for `ipAddress` never used, created `createdDaysAgo` days ago. */
export function unusedEntry(ipAddress: string, createdDaysAgo: number): AccessListEntry {
  return { ipAddress, cidrBlock: ipAddress, created: daysAgo(createdDaysAgo) };
}

export function keyInventory(key: ApiKey, accessList: readonly AccessListEntry[]): KeyInventory {
  return { key, accessList };
}

export function buildInventory(keys: readonly KeyInventory[], overrides: Partial<Inventory> = {}): Inventory {
  return { orgId: ORG_ID, keys, ...overrides };
}

/** Roles of a key assigned to the given projects (plus its org role). */
export function projectRoles(...groupIds: string[]): ApiKey['roles'] {
  return [
    { orgId: ORG_ID, roleName: 'ORG_MEMBER' },
    ...groupIds.map((groupId) => ({ groupId, roleName: 'GROUP_READ_ONLY' })),
  ];
}
