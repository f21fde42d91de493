import { AtlasDeadlineError } from '../atlas/errors.ts';
import { isNotFound } from '../atlas/index.ts';
import type { ApiKey, AtlasClient, CallOptions } from '../atlas/types.ts';
import type { KeyInventory } from '../policy/types.ts';
import { collectPages } from './collect-pages.ts';
import { mapConcurrent } from './map-concurrent.ts';

export interface AccessListRead {
  /** The keys read, in order, without those that vanished. */
  readonly scanned: KeyInventory[];
  /** How many keys of the chunk, from its start, were dealt with (read, or found gone). */
  readonly visited: number;
}

/**
 * Reads the access lists of a chunk of keys with bounded concurrency. Stops starting reads once `mayStart` says
 * no (deadline, key limit) and keeps the longest fully-read prefix, so that a continuation never skips a key; a
 * read cut off by the deadline counts as not started. A key deleted by someone else since the listing (its access
 * list is not found) is dropped: its work is done.
 */
export async function readAccessLists(
  client: AtlasClient,
  orgId: string,
  keys: readonly ApiKey[],
  options: { readonly concurrency: number; readonly mayStart: () => boolean; readonly call: CallOptions },
): Promise<AccessListRead> {
  const read = await mapConcurrent(keys, options.concurrency, async (key): Promise<KeyInventory | 'gone' | undefined> => {
    if (!options.mayStart()) return undefined;
    try {
      return { key, accessList: await collectPages(client.listAccessList(orgId, key.id, options.call)) };
    } catch (error) {
      if (isNotFound(error)) return 'gone';
      // No token before the deadline (pacing): this key was not read; the continuation starts with it.
      if (error instanceof AtlasDeadlineError) return undefined;
      throw error;
    }
  });
  const firstMissing = read.indexOf(undefined);
  const prefix = firstMissing === -1 ? read : read.slice(0, firstMissing);
  return { scanned: prefix.filter((item): item is KeyInventory => typeof item === 'object'), visited: prefix.length };
}
