import { createHash } from 'node:crypto';
import type { ApiKey } from '../atlas/types.ts';
import type { KeyState } from '../state/types.ts';

const DAY_MS = 86_400_000;

/** Why an incremental sweep reads a key's access list, or `skip` when what it read before still holds. */
export type ReadReason = 'new' | 'changed' | 'policy' | 'due' | 'full-read' | 'skip';

export interface ReadContext {
  readonly policyDigest: string;
  readonly nowMs: number;
  /** Every key is read in full at least this often, whatever its next-due says. */
  readonly fullReadEveryDays: number;
}

/**
 * Decides from the listing alone whether a key's access list must be read in this run. A key is skipped only
 * when its stored next-due (computed from its last full read under the same policy) has not come, nothing the
 * listing shows about it changed (public key, description, roles), and its last full read is recent. Skipping
 * can only delay an action, never cause one: the planner acts only on keys read in this run. Pure.
 */
export function readReason(key: ApiKey, state: KeyState | undefined, context: ReadContext): ReadReason {
  if (state === undefined) return 'new';
  if (state.publicKey !== key.publicKey || state.descDigest !== descDigestOf(key) || state.rolesDigest !== rolesDigestOf(key)) {
    return 'changed';
  }
  if (state.policyDigest !== context.policyDigest) return 'policy';
  if (state.nextDueMs !== null && state.nextDueMs <= context.nowMs) return 'due';
  // Evidence can move backwards (someone deleted entries): a periodic full read bounds how late that is seen.
  if (state.lastFullReadMs + context.fullReadEveryDays * DAY_MS <= context.nowMs) return 'full-read';
  return 'skip';
}

/** What to remember about a key just read: its listing digests and the next instant a rule could act on it. */
export function keyStateOf(key: ApiKey, nextDueMs: number | null, context: ReadContext): KeyState {
  return {
    apiUserId: key.id,
    publicKey: key.publicKey,
    descDigest: descDigestOf(key),
    rolesDigest: rolesDigestOf(key),
    policyDigest: context.policyDigest,
    nextDueMs,
    lastFullReadMs: context.nowMs,
  };
}

export function descDigestOf(key: ApiKey): string {
  return digest(typeof key.desc === 'string' ? key.desc : '');
}

/** Order-independent: the same roles listed in another order are the same roles. */
export function rolesDigestOf(key: ApiKey): string {
  const roles = (Array.isArray(key.roles) ? key.roles : []).map((role) => `${role.orgId ?? ''}|${role.groupId ?? ''}|${role.roleName ?? ''}`);
  return digest(JSON.stringify(roles.sort()));
}

function digest(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 24);
}
