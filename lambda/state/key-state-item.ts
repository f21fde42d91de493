import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import * as z from 'zod';
import { PARTITION_KEY, SORT_KEY, TTL_ATTRIBUTE } from './constants.ts';
import { keyStateSchema } from './inputs.ts';
import { keyStateExpiresAt, keyStateSortKey, orgPartitionKey } from './item-keys.ts';
import type { KeyState } from './types.ts';

type Item = Record<string, AttributeValue>;

export function keyStateKey(orgId: string, apiUserId: string): Item {
  return { [PARTITION_KEY]: { S: orgPartitionKey(orgId) }, [SORT_KEY]: { S: keyStateSortKey(apiUserId) } };
}

export function keyStateToItem(orgId: string, state: KeyState): Item {
  return {
    ...keyStateKey(orgId, state.apiUserId),
    apiUserId: { S: state.apiUserId },
    publicKey: { S: state.publicKey },
    descDigest: { S: state.descDigest },
    rolesDigest: { S: state.rolesDigest },
    policyDigest: { S: state.policyDigest },
    nextDueMs: state.nextDueMs === null ? { NULL: true } : { N: String(state.nextDueMs) },
    lastFullReadMs: { N: String(state.lastFullReadMs) },
    [TTL_ATTRIBUTE]: { N: String(keyStateExpiresAt(state.lastFullReadMs)) },
  };
}

const s = z.object({ S: z.string() }).transform((v) => v.S);
const n = z.object({ N: z.string() }).transform((v) => Number(v.N));
const itemSchema = z.object({
  apiUserId: s,
  publicKey: s,
  descDigest: s,
  rolesDigest: s,
  policyDigest: s,
  nextDueMs: z.union([n, z.object({ NULL: z.literal(true) }).transform(() => null)]),
  lastFullReadMs: n,
});

/**
 * The state an item holds, or undefined when the item is not one we wrote (edited by hand, an older format):
 * a key without a usable state is simply read in full again, which is always safe.
 */
export function itemToKeyState(item: Item): KeyState | undefined {
  const fields = itemSchema.safeParse(item);
  if (!fields.success) return undefined;
  const state = keyStateSchema.safeParse(fields.data);
  if (!state.success) return undefined;
  // The record must sit under its own key; anything else was not written by us.
  const sortKey = item[SORT_KEY];
  return sortKey !== undefined && 'S' in sortKey && sortKey.S === keyStateSortKey(state.data.apiUserId) ? state.data : undefined;
}
