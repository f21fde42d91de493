import type { AccessListEntry } from '../atlas/types.ts';
import { type AccessListAddress, parseAccessListEntry } from '../validation/access-list-entry.ts';
import { assessEntry } from './assess-entry.ts';
import { buildEntryGuard } from './build-entry-guard.ts';
import { groupByAddress } from './group-by-address.ts';
import type { Policy } from './schema.ts';

export interface RefusePruneOptions {
  /** Refuse unless every entry with the address is stale at `now` (a sweep's prune). @default true */
  readonly requireStale?: boolean;
}

/**
 * Re-applies the entry rules to an access list read right before deleting `entry` from it: why the DELETE
 * must not be sent, or `undefined` when it may. Refused: a protected address, the address holding the key's
 * newest usage evidence, the key's last address, and (by default) an address no longer stale. An address no
 * longer in the list is not refused: the DELETE will find it absent. Pure.
 */
export function refusePrune(
  accessList: readonly AccessListEntry[],
  entry: string,
  policy: Policy,
  now: Date,
  options: RefusePruneOptions = {},
): string | undefined {
  let address: AccessListAddress;
  try {
    address = parseAccessListEntry(entry);
  } catch {
    return 'not an IP address or CIDR block';
  }
  const shown = `entry ${address.normalised}`;
  const protection = buildEntryGuard(policy.protectedEntries)(address);
  if (protection !== undefined) return `${shown} is ${protection}`;
  const nowMs = now.getTime();
  const entries = (Array.isArray(accessList) ? accessList : []).map((item, index) =>
    assessEntry(item, index, policy, nowMs),
  );
  const groups = groupByAddress(entries);
  const target = groups.find((group) => group.address.normalised === address.normalised);
  if (target === undefined) return undefined;
  // The last address first: it is the reason that holds whatever the timestamps say.
  if (groups.length <= 1) {
    return `${shown} is the key's last access-list entry: an empty list would widen access; revoke the key instead`;
  }
  if (target.holdsNewest) {
    return `${shown} holds the key's newest usage evidence: pruning it would make the key look idle`;
  }
  if (options.requireStale !== false && !(nowMs >= target.staleAtMs)) return `${shown} is no longer stale`;
  return undefined;
}
