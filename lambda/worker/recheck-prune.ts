import type { AccessListEntry, AtlasClient, CallOptions } from '../atlas/types.ts';
import { isNotFound } from '../atlas/index.ts';
import { plan } from '../policy/plan.ts';
import { refusePrune } from '../policy/refuse-prune.ts';
import type { Policy } from '../policy/schema.ts';
import type { Action } from '../policy/types.ts';
import { parseAccessListEntry } from '../validation/access-list-entry.ts';
import { collectPages } from './collect-pages.ts';
import type { Recheck } from './execute-actions.ts';

type PruneAction = Extract<Action, { kind: 'pruneAccessListEntry' }>;

export interface RecheckContext {
  readonly policy: Policy;
  readonly now: Date;
  readonly selfPublicKey?: string;
}

/**
 * Decides on fresh data whether a planned prune may still be sent: the key's access list as it is now, planned
 * again with the same policy. Someone else may have removed entries since the plan (another writer, a human in
 * the UI, the operator's CLI): the prune goes out only if the planner, seeing that list, would still prune this
 * entry — so it never removes the last entry, nor the one holding the key's newest evidence, nor an entry used
 * since. Pure: the caller reads the list.
 */
export function recheckPrune(action: PruneAction, accessList: readonly AccessListEntry[], context: RecheckContext): Recheck | undefined {
  const target = parseAccessListEntry(action.entry).normalised;
  const present = accessList.some((entry) => addressOf(entry) === target);
  if (!present) return { absent: `entry ${target} is no longer on the key's access list` };
  const key = {
    id: action.apiUserId,
    publicKey: action.evidence.publicKey,
    ...(action.evidence.desc === undefined ? {} : { desc: action.evidence.desc }),
    roles: [],
  };
  const fresh = plan(
    { orgId: action.orgId, keys: [{ key, accessList }], ...(context.selfPublicKey === undefined ? {} : { selfPublicKey: context.selfPublicKey }) },
    context.policy,
    context.now,
  );
  const still = fresh.actions.some((a) => a.kind === 'pruneAccessListEntry' && a.apiUserId === action.apiUserId && a.entry === target);
  return still ? undefined : { skip: `entry ${target}: re-read before the delete, no longer to be pruned (the access list changed since the plan)` };
}

/** The I/O around `recheckPrune`: re-reads the key's access list. A key deleted meanwhile took its entries along. */
export async function recheckPruneOnline(
  client: AtlasClient,
  action: PruneAction,
  context: RecheckContext,
  call: CallOptions,
): Promise<Recheck | undefined> {
  let accessList: AccessListEntry[];
  try {
    accessList = await collectPages(client.listAccessList(action.orgId, action.apiUserId, call));
  } catch (error) {
    if (isNotFound(error)) return { absent: 'the key no longer exists (its access list went with it)' };
    throw error;
  }
  return recheckPrune(action, accessList, context);
}

function addressOf(entry: AccessListEntry): string | undefined {
  const text = entry.cidrBlock ?? entry.ipAddress;
  if (typeof text !== 'string') return undefined;
  try {
    return parseAccessListEntry(text).normalised;
  } catch {
    return undefined;
  }
}

/**
 * An operator's explicit prune (queue command, CLI) on fresh data: the policy's entry rules (`refusePrune`) —
 * never a protected entry, never the key's last entry (an empty access list widens access), never the entry
 * holding the key's newest evidence (its idle time would jump and a later sweep could delete a key in use) —
 * without staleness, which is the operator's call. An entry no longer listed (and not refused) is already absent.
 */
export function recheckExplicitPrune(target: string, accessList: readonly AccessListEntry[], policy: Policy, now: Date): Recheck | undefined {
  const refusal = refusePrune(accessList, target, policy, now, { requireStale: false });
  if (refusal !== undefined) return { skip: refusal };
  return accessList.some((entry) => addressOf(entry) === target) ? undefined : { absent: `entry ${target} is not on the key's access list` };
}
