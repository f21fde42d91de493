import type { AccessListAddress } from '../validation/access-list-entry.ts';
import type { EntryAssessment } from './types.ts';

/** All entries of one key that name the same address: a DELETE removes them together. */
export interface AddressGroup {
  readonly address: AccessListAddress;
  /** The entry with the most recent `lastUsed ?? created`: the evidence shown for the address. */
  readonly youngest: EntryAssessment;
  /** When every entry with this address is stale; `Infinity` when one has no usable timestamp (never stale). */
  readonly staleAtMs: number;
  /**
   * An entry with this address holds the key's newest usage evidence. Pruning it would make the key look idler
   * than it is (and a later sweep could unassign or delete a key in use), so it is never pruned.
   */
  readonly holdsNewest: boolean;
}

/**
 * Groups a key's entries by normalised address, in access-list order. Entries without a valid address are left
 * out: they cannot be named in a DELETE. The newest evidence is taken over the entries with an address and a
 * known timestamp, so a protected entry still counts as evidence.
 */
export function groupByAddress(entries: readonly EntryAssessment[]): AddressGroup[] {
  let newestMs = Number.NEGATIVE_INFINITY;
  for (const { address, usage } of entries) {
    if (address !== undefined && usage.known) newestMs = Math.max(newestMs, usage.atMs);
  }
  const groups = new Map<string, { address: AccessListAddress; youngest: EntryAssessment; staleAtMs: number; holdsNewest: boolean }>();
  for (const entry of entries) {
    const { address, usage } = entry;
    if (address === undefined) continue;
    const staleAtMs = usage.known ? usage.staleAtMs : Number.POSITIVE_INFINITY;
    const holdsNewest = usage.known && usage.atMs === newestMs;
    const group = groups.get(address.normalised);
    if (group === undefined) {
      groups.set(address.normalised, { address, youngest: entry, staleAtMs, holdsNewest });
      continue;
    }
    group.staleAtMs = Math.max(group.staleAtMs, staleAtMs);
    group.holdsNewest ||= holdsNewest;
    const shown = group.youngest.usage;
    if (usage.known && (!shown.known || usage.atMs > shown.atMs)) group.youngest = entry;
  }
  return [...groups.values()];
}
