import type { AccessListEntry } from '../atlas/types.ts';
import { type AccessListAddress, parseAccessListEntry } from '../validation/access-list-entry.ts';
import { parseTimestamp } from './parse-timestamp.ts';
import type { Policy } from './schema.ts';
import type { EntryAssessment, EntryUsage } from './types.ts';
import { limitReachedAt } from './limit-reached-at.ts';
import { wholeDaysSince } from './whole-days-since.ts';

type Limits = Pick<Policy, 'accessListIdleDays' | 'neverUsedGraceDays'>;

/**
 * Judges one access-list entry at `nowMs`: its address, and whether it is stale — `lastUsed` at least
 * `accessListIdleDays` ago, or never used and `created` at least `neverUsedGraceDays` ago. A timestamp that is
 * present but unreadable makes the whole entry unknown: it cannot be trusted either way.
 */
export function assessEntry(entry: AccessListEntry, index: number, limits: Limits, nowMs: number): EntryAssessment {
  const address = readAddress(entry);
  const usage = readUsage(entry, limits, nowMs);
  return address === undefined ? { index, usage } : { index, address, usage };
}

function readUsage(entry: AccessListEntry, limits: Limits, nowMs: number): EntryUsage {
  const lastUsedMs = parseTimestamp(entry.lastUsed);
  const createdMs = parseTimestamp(entry.created);
  if (isPresent(entry.lastUsed) && lastUsedMs === undefined) return { known: false, why: 'unreadable lastUsed' };
  if (isPresent(entry.created) && createdMs === undefined) return { known: false, why: 'unreadable created' };
  if (lastUsedMs !== undefined) {
    return measured('lastUsed', String(entry.lastUsed), lastUsedMs, limits.accessListIdleDays, nowMs);
  }
  if (createdMs !== undefined) {
    return measured('created', String(entry.created), createdMs, limits.neverUsedGraceDays, nowMs);
  }
  return { known: false, why: 'neither lastUsed nor created' };
}

function measured(field: 'lastUsed' | 'created', at: string, atMs: number, limitDays: number, nowMs: number) {
  const idleDays = wholeDaysSince(atMs, nowMs);
  const staleAtMs = limitReachedAt(atMs, limitDays);
  return { known: true, field, at, atMs, idleDays, limitDays, staleAtMs, stale: nowMs >= staleAtMs } as const;
}

/** `cidrBlock` and/or `ipAddress`; when both are given they must name the same address. */
function readAddress(entry: AccessListEntry): AccessListAddress | undefined {
  const given = [entry.cidrBlock, entry.ipAddress].filter(isPresent);
  if (given.length === 0) return undefined;
  try {
    const [first, ...rest] = given.map((value) => parseAccessListEntry(value));
    return first && rest.every((other) => other.normalised === first.normalised) ? first : undefined;
  } catch {
    return undefined;
  }
}

function isPresent(value: unknown): boolean {
  return value !== undefined && value !== null;
}
