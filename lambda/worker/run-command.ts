import type { AccessListEntry, ApiKey, AtlasClient, CallOptions } from '../atlas/types.ts';
import type { Command } from '../commands/schema.ts';
import type { Policy } from '../policy/schema.ts';
import { buildEntryGuard } from '../policy/build-entry-guard.ts';
import { buildKeyGuard } from '../policy/build-key-guard.ts';
import type { Action, Evidence } from '../policy/types.ts';
import { parseAccessListEntry } from '../validation/access-list-entry.ts';
import { collectPages } from './collect-pages.ts';
import { statusOf } from './describe-error.ts';
import { executeActions } from './execute-actions.ts';
import { findOrgKey, findProjectKey } from './find-key.ts';
import type { ActionResult, SweepSummary } from './types.ts';
import { sweepOrg, type SweepOptions } from './sweep-org.ts';

export interface CommandContext {
  readonly client: AtlasClient;
  readonly policy: Policy;
  readonly now: Date;
  readonly selfPublicKey?: string;
  readonly deadline?: number;
  /** Sweep tuning and callbacks, passed through. */
  readonly sweep?: Partial<Omit<SweepOptions, 'client' | 'orgId' | 'policy' | 'now' | 'dryRun' | 'cursor'>>;
  readonly onResult?: (result: ActionResult) => void;
}

export interface CommandOutcome {
  readonly results: readonly ActionResult[];
  readonly sweep?: SweepSummary;
}

/**
 * Carries out one command. Explicit commands act at once (they are an operator's or a producer's request);
 * the protected-key rules and the worker's own key still apply. Only `sweep` follows the policy's dry run.
 */
export async function runCommand(command: Command, context: CommandContext): Promise<CommandOutcome> {
  const call: CallOptions = context.deadline === undefined ? {} : { deadline: context.deadline };
  switch (command.action) {
    case 'sweep': {
      const sweep = await sweepOrg({
        ...context.sweep,
        client: context.client,
        orgId: command.orgId,
        policy: context.policy,
        now: context.now,
        // A message may make a sweep drier, never wetter than the policy.
        dryRun: context.policy.dryRun || command.dryRun === true,
        ...(context.selfPublicKey === undefined ? {} : { selfPublicKey: context.selfPublicKey }),
        ...(command.cursor === undefined ? {} : { cursor: command.cursor }),
        ...(context.deadline === undefined ? {} : { deadline: context.deadline }),
        ...(context.onResult === undefined ? {} : { onResult: context.onResult }),
      });
      return { results: sweep.results, sweep };
    }
    case 'deleteOrgKey': {
      const key = await findOrgKey(context.client, command.orgId, { apiUserId: command.apiUserId }, call);
      const action: Action = {
        kind: 'deleteOrgKey',
        orgId: command.orgId,
        apiUserId: command.apiUserId,
        reason: 'requested: delete org key',
        evidence: evidenceOf(key),
      };
      return execute([action], key, context);
    }
    case 'revokeProjectKey': {
      const key = await findProjectKey(context.client, command.groupId, command.apiUserId, call);
      const action: Action = {
        kind: 'unassignFromProject',
        orgId: key?.roles.find((role) => role.orgId)?.orgId ?? '',
        groupId: command.groupId,
        apiUserId: command.apiUserId,
        reason: 'requested: unassign key from project',
        evidence: evidenceOf(key),
      };
      return execute([action], key, context);
    }
    case 'pruneAccessListEntry': {
      const key = await findOrgKey(context.client, command.orgId, { apiUserId: command.apiUserId }, call);
      const action: Action = {
        kind: 'pruneAccessListEntry',
        orgId: command.orgId,
        apiUserId: command.apiUserId,
        entry: command.entry,
        reason: 'requested: remove access-list entry',
        evidence: evidenceOf(key),
      };
      if (!key) return execute([action], key, context);
      const refusal = await pruneRefusal(context, command.orgId, key, command.entry, call);
      // The key went away since the listing (another run deleted it): the entry went with it.
      if (refusal === KEY_GONE) return execute([action], undefined, context);
      return refusal ? skip([action], refusal, context) : execute([action], key, context);
    }
    case 'revokeKey': {
      const match = command.apiUserId === undefined ? { publicKey: command.publicKey } : { apiUserId: command.apiUserId };
      const key = await findOrgKey(context.client, command.orgId, match as { apiUserId?: string; publicKey?: string }, call);
      const reason = `requested: revoke leaked key${command.reason ? ` (${command.reason})` : ''}`;
      const apiUserId = key?.id ?? command.apiUserId ?? '';
      const remove: Action = { kind: 'deleteOrgKey', orgId: command.orgId, apiUserId, reason, evidence: evidenceOf(key, command.publicKey) };
      // Not there: already-absent, reported (and audited) like any other outcome.
      if (!key) return execute([remove], undefined, context);
      const first = await execute([remove], key, context);
      if (first.results[0]?.outcome !== 'failed') return first;
      // Containment when the delete is refused: take the key out of every project it can reach.
      const unassign: Action[] = projectsOf(key).map((groupId) => ({
        kind: 'unassignFromProject',
        orgId: command.orgId,
        groupId,
        apiUserId: key.id,
        reason: `${reason}: fallback after the org-key delete failed`,
        evidence: evidenceOf(key),
      }));
      const fallback = await execute(unassign, key, context);
      return { results: [...first.results, ...fallback.results] };
    }
  }
}

async function execute(actions: Action[], key: ApiKey | undefined, context: CommandContext): Promise<CommandOutcome> {
  if (key) {
    const refusal = buildKeyGuard(context.policy.protectedKeys, context.selfPublicKey)(key);
    if (refusal) return skip(actions, refusal.reason, context);
  } else if (actions[0]?.kind !== 'unassignFromProject') {
    // Not in the org's listing: the goal is already reached, and no write is needed to prove it.
    const results = actions.map((action) => absent(action, 'no such key in the organization'));
    for (const result of results) context.onResult?.(result);
    return { results };
  } else {
    const results = actions.map((action) => absent(action, 'key is not assigned to this project'));
    for (const result of results) context.onResult?.(result);
    return { results };
  }
  const results = await executeActions(actions, {
    client: context.client,
    dryRun: false,
    ...(context.deadline === undefined ? {} : { deadline: context.deadline }),
    ...(context.onResult === undefined ? {} : { onResult: context.onResult }),
  });
  return { results };
}

function skip(actions: Action[], why: string, context: CommandContext): CommandOutcome {
  const results = actions.map((action): ActionResult => ({ action, outcome: 'skipped', detail: why, durationMs: 0 }));
  for (const result of results) context.onResult?.(result);
  return { results };
}

function absent(action: Action, why: string): ActionResult {
  return { action, outcome: 'already-absent', detail: why, durationMs: 0 };
}

const KEY_GONE = Symbol('key gone');

/**
 * Refuses to remove a protected entry or a key's last entry (an empty access list widens access). `KEY_GONE`
 * when the key was deleted after the org listing showed it (its access list answers 404).
 */
async function pruneRefusal(
  context: CommandContext,
  orgId: string,
  key: ApiKey,
  entry: string,
  call: CallOptions,
): Promise<string | typeof KEY_GONE | undefined> {
  const address = parseAccessListEntry(entry);
  const target = address.normalised;
  const protection = buildEntryGuard(context.policy.protectedEntries)(address);
  if (protection) return `entry ${target} is ${protection}`;
  let entries: AccessListEntry[];
  try {
    entries = await collectPages(context.client.listAccessList(orgId, key.id, call));
  } catch (error) {
    if (statusOf(error) === 404) return KEY_GONE;
    throw error;
  }
  const others = entries.filter((e) => {
    const text = e.cidrBlock ?? e.ipAddress;
    try {
      return text !== undefined && parseAccessListEntry(text).normalised !== target;
    } catch {
      return true;
    }
  });
  if (others.length === 0 && entries.length > 0) {
    return 'it is the key\'s last access-list entry: an empty list would widen access; revoke the key instead';
  }
  return undefined;
}

function projectsOf(key: ApiKey): string[] {
  return [...new Set(key.roles.flatMap((role) => (role.groupId ? [role.groupId] : [])))];
}

function evidenceOf(key: ApiKey | undefined, publicKey?: string): Evidence {
  return {
    publicKey: key?.publicKey ?? publicKey ?? '',
    ...(key?.desc === undefined ? {} : { desc: key.desc }),
  };
}
