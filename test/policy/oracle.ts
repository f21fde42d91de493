// Independent, deliberately naive restatements of the rules, for the property tests to check the planner against.
import { BlockList } from 'node:net';
import type { AccessListEntry, ApiKey } from '../../lambda/atlas/types.ts';
import type { Policy } from '../../lambda/policy/schema.ts';
import type { Action, Inventory } from '../../lambda/policy/types.ts';
import { parseAccessListEntry } from '../../lambda/validation/access-list-entry.ts';
import { DAY_MS, INVALID_TIMESTAMPS } from './arbitraries.ts';

export function isUntouchable(key: ApiKey, inventory: Inventory, policy: Policy): boolean {
  const { ids, publicKeys, descriptionPatterns } = policy.protectedKeys;
  return (
    key.publicKey === inventory.selfPublicKey ||
    ids.includes(key.id) ||
    publicKeys.includes(key.publicKey) ||
    descriptionPatterns.some((pattern) => new RegExp(pattern, 'u').test(typeof key.desc === 'string' ? key.desc : ''))
  );
}

/** Normalised address of an entry, or undefined when it has none or its two fields disagree. */
export function addressOf(entry: AccessListEntry): string | undefined {
  const given = [entry.cidrBlock, entry.ipAddress].filter((value) => value !== undefined);
  try {
    const normalised = new Set(given.map((value) => parseAccessListEntry(value).normalised));
    return normalised.size === 1 ? [...normalised][0] : undefined;
  } catch {
    return undefined;
  }
}

/** `lastUsed ?? created` in ms; undefined when neither is there or either is unreadable. */
function referenceOf(entry: AccessListEntry): { ms: number; field: 'lastUsed' | 'created' } | undefined {
  if ([entry.lastUsed, entry.created].some((value) => INVALID_TIMESTAMPS.includes(value as string))) return undefined;
  if (entry.lastUsed !== undefined) return { ms: Date.parse(entry.lastUsed), field: 'lastUsed' };
  if (entry.created !== undefined) return { ms: Date.parse(entry.created), field: 'created' };
  return undefined;
}

const daysSince = (ms: number, now: Date) => Math.max(0, Math.floor((now.getTime() - ms) / DAY_MS));

/** Whole days since the key's newest reference, or undefined when its use cannot be known. */
export function keyIdleDays(accessList: readonly AccessListEntry[], now: Date): number | undefined {
  if (accessList.length === 0) return undefined;
  let newest = Number.NEGATIVE_INFINITY;
  for (const entry of accessList) {
    const reference = referenceOf(entry);
    if (reference === undefined || addressOf(entry) === undefined) return undefined;
    newest = Math.max(newest, reference.ms);
  }
  return daysSince(newest, now);
}

export function isStale(entry: AccessListEntry, policy: Policy, now: Date): boolean {
  const reference = referenceOf(entry);
  if (reference === undefined) return false;
  const limit = reference.field === 'lastUsed' ? policy.accessListIdleDays : policy.neverUsedGraceDays;
  return daysSince(reference.ms, now) >= limit;
}

/** `date` when it is a real YYYY-MM-DD calendar date, read back through Date. */
function realDate(date: string | undefined): string | undefined {
  if (date === undefined || !/^\d{4}-\d{2}-\d{2}$/.test(date)) return undefined;
  const parsed = new Date(`${date}T00:00:00Z`);
  return Number.isNaN(parsed.getTime()) || parsed.toISOString().slice(0, 10) !== date ? undefined : date;
}

/** The key's expiry date from its description when it is a real date before today (UTC). */
export function expiredOn(key: ApiKey, policy: Policy, now: Date): string | undefined {
  if (policy.expiryPattern === undefined || typeof key.desc !== 'string') return undefined;
  const date = realDate(new RegExp(policy.expiryPattern, 'u').exec(key.desc)?.[1]);
  return date !== undefined && date < now.toISOString().slice(0, 10) ? date : undefined;
}

/** The latest real date of the rotation's retirement tags in the description, when it is before today (UTC). */
export function retiredOn(key: ApiKey, now: Date): string | undefined {
  if (typeof key.desc !== 'string') return undefined;
  const dates = key.desc
    .split('atlas-key-worker:retire-after=')
    .slice(1)
    .filter((rest) => !/^\d{4}-\d{2}-\d{2}\d/.test(rest))
    .map((rest) => realDate(rest.slice(0, 10)))
    .filter((date) => date !== undefined)
    .sort();
  const latest = dates.at(-1);
  return latest !== undefined && latest < now.toISOString().slice(0, 10) ? latest : undefined;
}

/** The date a key is deleted by, whatever its use: the retirement tag's first, else the expiry pattern's. */
export function deletionDate(key: ApiKey, policy: Policy, now: Date): string | undefined {
  return retiredOn(key, now) ?? expiredOn(key, policy, now);
}

/** What Atlas holds after the plan's prunes: every entry naming a pruned address is gone. */
export function applyPrunes(inventory: Inventory, actions: readonly Action[]): Inventory {
  const pruned = new Set(actions.flatMap((action) => (action.kind === 'pruneAccessListEntry' ? [`${action.apiUserId} ${action.entry}`] : [])));
  const keys = inventory.keys.map(({ key, accessList }) => ({
    key,
    accessList: accessList.filter((entry) => !pruned.has(`${key.id} ${addressOf(entry)}`)),
  }));
  return { ...inventory, keys };
}

/** Whether `entry` shares an address with any protected entry, using node's own subnet matching. */
export function isProtectedEntry(entry: string, policy: Policy): boolean {
  const split = (text: string) => {
    const parsed = parseAccessListEntry(text);
    const [base = ''] = text.split('/');
    return { base, prefix: parsed.prefix, type: parsed.family === 4 ? 'ipv4' : 'ipv6' } as const;
  };
  const target = split(entry);
  return policy.protectedEntries.some((text) => {
    const guard = split(text);
    const inGuard = new BlockList();
    inGuard.addSubnet(guard.base, guard.prefix, guard.type);
    const inTarget = new BlockList();
    inTarget.addSubnet(target.base, target.prefix, target.type);
    return inGuard.check(target.base, target.type) || inTarget.check(guard.base, guard.type);
  });
}
