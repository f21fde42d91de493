import type { EntryGuard } from './build-entry-guard.ts';
import { groupByAddress } from './group-by-address.ts';
import type { EntryAssessment } from './types.ts';

export interface PruneSelection {
  /** One stale entry per distinct address to prune, in access-list order. */
  readonly prune: readonly EntryAssessment[];
  /** Stale entries kept because the policy protects them, with the reason. */
  readonly kept: readonly { readonly entry: EntryAssessment; readonly reason: string }[];
}

/**
 * Chooses which stale entries of one key to prune at `nowMs`. A DELETE names an address, so an address is
 * pruned only when every entry with it is stale. Kept: protected addresses (reported), and the address holding
 * the key's newest usage evidence (pruning never changes a key's idle time; not reported, the key-level stages
 * speak for it). Never prunes every address: an API key with an empty access list may become usable from
 * anywhere. Entries without a valid address are never pruned and do not count as remaining.
 */
export function selectPrunes(entries: readonly EntryAssessment[], guard: EntryGuard, nowMs: number): PruneSelection {
  const groups = groupByAddress(entries);
  const prune: EntryAssessment[] = [];
  const kept: { entry: EntryAssessment; reason: string }[] = [];
  for (const { address, youngest, staleAtMs, holdsNewest } of groups) {
    if (!(nowMs >= staleAtMs)) continue;
    const reason = guard(address);
    if (reason !== undefined) kept.push({ entry: youngest, reason });
    else if (!holdsNewest) prune.push(youngest);
  }
  // Unreachable while the newest evidence is kept; it stays as the last line of defence for the access list.
  const remaining = groups.length - prune.length;
  return { prune: remaining > 0 ? prune : [], kept };
}
