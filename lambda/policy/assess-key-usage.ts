import type { EntryAssessment, KeyUsage } from './types.ts';
import { wholeDaysSince } from './whole-days-since.ts';

/**
 * A key's last use: the newest reference (`lastUsed`, else `created`) over all its entries. Unknown when the key
 * has no entries, or any entry has no usable timestamp or no valid address — one unreadable entry may be the
 * one in daily use, so it must not be outvoted by the readable ones.
 */
export function assessKeyUsage(entries: readonly EntryAssessment[], nowMs: number): KeyUsage {
  if (entries.length === 0) return { known: false, why: 'no access-list entries', noEntries: true };
  let newestMs = Number.NEGATIVE_INFINITY;
  let lastUsed: { at: string; atMs: number } | undefined;
  let created: { at: string; atMs: number } | undefined;
  for (const { index, address, usage } of entries) {
    if (address === undefined) {
      return { known: false, why: `access-list entry #${index + 1} has no valid address`, noEntries: false };
    }
    if (!usage.known) {
      return { known: false, why: `access-list entry ${address.normalised}: ${usage.why}`, noEntries: false };
    }
    newestMs = Math.max(newestMs, usage.atMs);
    if (usage.field === 'lastUsed' && (lastUsed === undefined || usage.atMs > lastUsed.atMs)) lastUsed = usage;
    if (usage.field === 'created' && (created === undefined || usage.atMs > created.atMs)) created = usage;
  }
  return {
    known: true,
    newestMs,
    idleDays: wholeDaysSince(newestMs, nowMs),
    ...(lastUsed && { lastUsed: lastUsed.at }),
    ...(created && { created: created.at }),
  };
}
