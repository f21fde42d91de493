import type { AccessListAddress } from '../validation/access-list-entry.ts';
import type { EntryGuard } from './build-entry-guard.ts';
import type { EntryAssessment } from './types.ts';

export interface PruneSelection {
  /** One stale entry per distinct address to prune, in access-list order. */
  readonly prune: readonly EntryAssessment[];
  /** Stale entries kept because the policy protects them, with the reason. */
  readonly kept: readonly { readonly entry: EntryAssessment; readonly reason: string }[];
}

/**
 * Chooses which stale entries of one key to prune. A DELETE names an address, so entries are grouped by
 * normalised address and an address is pruned only when every entry with it is stale. Protected addresses
 * are kept. Never prunes every address: an API key with an empty access list may become usable from
 * anywhere; when nothing would remain, nothing is pruned (an idle key is the key-level stages' business).
 * Entries without a valid address are never pruned and do not count as remaining.
 */
export function selectPrunes(entries: readonly EntryAssessment[], guard: EntryGuard): PruneSelection {
  const groups = new Map<string, { address: AccessListAddress; stale: boolean; youngest: EntryAssessment }>();
  for (const entry of entries) {
    const { address, usage } = entry;
    if (address === undefined) continue;
    const stale = usage.known && usage.stale;
    const group = groups.get(address.normalised);
    if (group === undefined) {
      groups.set(address.normalised, { address, stale, youngest: entry });
      continue;
    }
    group.stale &&= stale;
    // Evidence shows the most recent use of the address.
    if (stale && group.youngest.usage.known && usage.known && usage.atMs > group.youngest.usage.atMs) {
      group.youngest = entry;
    }
  }
  const prune: EntryAssessment[] = [];
  const kept: { entry: EntryAssessment; reason: string }[] = [];
  for (const { address, stale, youngest } of groups.values()) {
    if (!stale) continue;
    const reason = guard(address);
    if (reason === undefined) prune.push(youngest);
    else kept.push({ entry: youngest, reason });
  }
  const remaining = groups.size - prune.length;
  return { prune: remaining > 0 ? prune : [], kept };
}
