import { isNotFound } from '../atlas/index.ts';
import type { AccessListEntry, ApiKey, AtlasClient, CallOptions } from '../atlas/types.ts';
import type { Command } from '../commands/schema.ts';
import { buildKeyGuard } from '../policy/build-key-guard.ts';
import type { Policy } from '../policy/schema.ts';
import type { Action, Evidence } from '../policy/types.ts';
import { createMemoryState } from '../state/index.ts';
import type { KeyStateStore, WriteBudget } from '../state/types.ts';
import { parseAccessListEntry } from '../validation/access-list-entry.ts';
import { collectPages } from './collect-pages.ts';
import { statusOf } from './describe-error.ts';
import { CommandRejectedError } from './errors.ts';
import { executeActions } from './execute-actions.ts';
import { findOrgKeyByPublicKey, findProjectKey, getOrgKeyById } from './find-key.ts';
import { recheckExplicitPrune } from './recheck-prune.ts';
import { type SweepOptions, sweepOrg } from './sweep-org.ts';
import { BUDGET_REFUSAL_PREFIX } from './sweep-progress.ts';
import type { ActionResult, SweepSummary } from './types.ts';

export interface CommandContext {
  readonly client: AtlasClient;
  readonly policy: Policy;
  readonly now: Date;
  readonly selfPublicKey?: string;
  readonly deadline?: number;
  /**
   * `policy` (default): a command's org must be one of `policy.orgs`. `credentials`: the CLI without a policy
   * file, where the operator's own credentials decide what is reachable.
   */
  readonly scope?: 'policy' | 'credentials';
  /** Per-key next-due records: sweeps are incremental with them (unless the command says `full`). */
  readonly keyState?: KeyStateStore;
  /** The durable write budget. @default a fresh in-memory one (local runs) */
  readonly budget?: WriteBudget;
  /** Sweep tuning and callbacks, passed through. */
  readonly sweep?: Partial<Omit<SweepOptions, 'client' | 'orgId' | 'policy' | 'now' | 'dryRun' | 'cursor' | 'budget' | 'keyState'>>;
  readonly onResult?: (result: ActionResult) => void;
}

export interface CommandOutcome {
  readonly results: readonly ActionResult[];
  readonly sweep?: SweepSummary;
}

/**
 * Carries out one command within the policy's scope: its org (a project's org, for `revokeProjectKey`) must be
 * one of `policy.orgs`, or the command is rejected before any write. `policy.dryRun` governs sweeps (a message
 * can only make a sweep drier); `policy.commands` governs the explicit commands (`execute`, `dry-run`,
 * `reject`). Protected keys and the worker's own key are never touched. Whole-key revocations (`revokeKey`,
 * `deleteOrgKey`) are recorded in the write budget but never refused by it; every other write must fit in it.
 * @throws CommandRejectedError when the command is out of scope or explicit commands are rejected.
 */
export async function runCommand(command: Command, context: CommandContext): Promise<CommandOutcome> {
  const call: CallOptions = context.deadline === undefined ? {} : { deadline: context.deadline };
  const budget = context.budget ?? createMemoryState().budget;
  if (command.action === 'sweep') {
    requireOrgInPolicy(context, command.orgId, 'orgId');
    const sweep = await sweepOrg({
      ...context.sweep,
      client: context.client,
      orgId: command.orgId,
      policy: context.policy,
      now: context.now,
      budget,
      ...(context.keyState === undefined || command.full === true ? {} : { keyState: context.keyState }),
      // A message may make a sweep drier, never wetter than the policy.
      dryRun: context.policy.dryRun || command.dryRun === true,
      ...(context.selfPublicKey === undefined ? {} : { selfPublicKey: context.selfPublicKey }),
      ...(command.cursor === undefined ? {} : { cursor: command.cursor }),
      ...(context.deadline === undefined ? {} : { deadline: context.deadline }),
      ...(context.onResult === undefined ? {} : { onResult: context.onResult }),
    });
    return { results: sweep.results, sweep };
  }

  if (context.policy.commands === 'reject') {
    throw new CommandRejectedError('action', `explicit commands are switched off by the policy (commands: "reject"); ${command.action} not run`);
  }
  const run = new ExplicitRun(context, budget, call);
  if (command.action === 'revokeProjectKey') {
    const projectOrg = await orgOfProject(context, command.groupId, call);
    const action = unassignAction(projectOrg ?? '', command.groupId, command.apiUserId, 'requested: unassign key from project', undefined);
    // The project does not exist (a documented GROUP_NOT_FOUND): the key is in no such project.
    if (projectOrg === undefined) return run.absent([action], `no project ${command.groupId}`);
    requireOrgInPolicy(context, projectOrg, 'groupId');
    const key = await findProjectKey(context.client, command.groupId, command.apiUserId, call);
    if (!key) return run.absent([action], 'key is not assigned to this project');
    return run.execute([{ ...action, evidence: evidenceOf(key) }], key, { mandatory: false });
  }
  const orgId = command.orgId;
  requireOrgInPolicy(context, orgId, 'orgId');

  switch (command.action) {
    case 'deleteOrgKey': {
      const key = await getOrgKeyById(context.client, orgId, command.apiUserId, { ...call, urgent: true });
      const action: Action = { kind: 'deleteOrgKey', orgId, apiUserId: command.apiUserId, reason: 'requested: delete org key', evidence: evidenceOf(key) };
      if (!key) return run.absent([action], 'no such key in the organization');
      return run.execute([action], key, { mandatory: true });
    }
    case 'pruneAccessListEntry': {
      const key = await getOrgKeyById(context.client, orgId, command.apiUserId, call);
      const action: Action = {
        kind: 'pruneAccessListEntry',
        orgId,
        apiUserId: command.apiUserId,
        entry: command.entry,
        reason: 'requested: remove access-list entry',
        evidence: evidenceOf(key),
      };
      if (!key) return run.absent([action], 'no such key in the organization');
      const target = parseAccessListEntry(command.entry).normalised;
      return run.execute([action], key, {
        mandatory: false,
        recheck: async () => {
          let entries: AccessListEntry[];
          try {
            entries = await collectPages(context.client.listAccessList(orgId, key.id, call));
          } catch (error) {
            if (isNotFound(error)) return { absent: 'the key no longer exists (its access list went with it)' };
            throw error;
          }
          return recheckExplicitPrune(target, entries, context.policy, context.now);
        },
      });
    }
    case 'revokeKey': {
      const key =
        command.apiUserId !== undefined
          ? await getOrgKeyById(context.client, orgId, command.apiUserId, { ...call, urgent: true })
          : await findOrgKeyByPublicKey(context.client, orgId, command.publicKey as string, { ...call, urgent: true });
      const reason = `requested: revoke leaked key${command.reason ? ` (${command.reason})` : ''}`;
      const apiUserId = key?.id ?? command.apiUserId ?? '';
      const remove: Action = { kind: 'deleteOrgKey', orgId, apiUserId, reason, evidence: evidenceOf(key, command.publicKey) };
      // Not there (a single GET by id said so, or two full scans agreed): reported and audited like any outcome.
      if (!key) return run.absent([remove], 'no such key in the organization');
      const first = await run.execute([remove], key, { mandatory: true });
      if (first.results[0]?.outcome !== 'failed') return first;
      // Containment when the delete is refused: take the key out of every project it can reach.
      const unassign = projectsOf(key).map((groupId) =>
        unassignAction(orgId, groupId, key.id, `${reason}: fallback after the org-key delete failed`, key),
      );
      const fallback = await run.execute(unassign, key, { mandatory: true });
      return { results: [...first.results, ...fallback.results] };
    }
  }
}

/** An explicit command's writes: key guard, policy mode (`commands`), recheck and budget, then the executor. */
class ExplicitRun {
  constructor(
    private readonly context: CommandContext,
    private readonly budget: WriteBudget,
    private readonly call: CallOptions,
  ) {}

  async execute(
    actions: Action[],
    key: ApiKey,
    how: { mandatory: boolean; recheck?: () => ReturnType<NonNullable<Parameters<typeof executeActions>[1]['recheck']>> },
  ): Promise<CommandOutcome> {
    const refusal = buildKeyGuard(this.context.policy.protectedKeys, this.context.selfPublicKey)(key);
    if (refusal) return this.skip(actions, refusal.reason);
    const { policy } = this.context;
    const results = await executeActions(actions, {
      client: this.context.client,
      dryRun: policy.commands === 'dry-run',
      ...this.call,
      // Whole-key revocations are exempt from the rate-limit share: a leaked key must not wait.
      ...(how.mandatory ? { urgent: true } : {}),
      ...(how.recheck === undefined ? {} : { recheck: how.recheck }),
      reserve: async (action) => {
        const reservation = await this.budget.reserve({
          orgId: action.orgId,
          at: this.context.now,
          limit: policy.maxWritesPerOrgPerDay,
          kind: action.kind,
          mandatory: how.mandatory,
        });
        return reservation.granted
          ? undefined
          : `${BUDGET_REFUSAL_PREFIX}: ${reservation.used} of ${reservation.limit} writes for this org today (maxWritesPerOrgPerDay)`;
      },
      ...(this.context.onResult === undefined ? {} : { onResult: this.context.onResult }),
    });
    return { results: results.map((r) => (r.outcome === 'skipped' && policy.commands === 'dry-run' ? { ...r, detail: 'dry run (policy commands: "dry-run"): no request sent' } : r)) };
  }

  absent(actions: Action[], why: string): CommandOutcome {
    return report(actions.map((action) => ({ action, outcome: 'already-absent', detail: why, durationMs: 0 })), this.context);
  }

  private skip(actions: Action[], why: string): CommandOutcome {
    return report(actions.map((action) => ({ action, outcome: 'skipped', detail: why, durationMs: 0 })), this.context);
  }
}

function report(results: ActionResult[], context: CommandContext): CommandOutcome {
  for (const result of results) context.onResult?.(result);
  return { results };
}

function requireOrgInPolicy({ policy, scope }: CommandContext, orgId: string, field: string): void {
  if (scope === 'credentials' || policy.orgs.some((org) => org.orgId === orgId)) return;
  const what = field === 'groupId' ? `the project belongs to org ${orgId}, which` : `org ${orgId}`;
  throw new CommandRejectedError(field, `${what} is not in this worker's policy (KEY_POLICY.orgs); nothing was sent. Add the org to the policy to act on it`);
}

/** The org a project belongs to; `undefined` when Atlas says there is no such project. */
async function orgOfProject(context: CommandContext, groupId: string, call: CallOptions): Promise<string | undefined> {
  try {
    return (await context.client.getProject(groupId, call)).orgId;
  } catch (error) {
    if (isNotFound(error, 'project')) return undefined;
    // Another org's project is not readable with the worker's credentials: out of scope by definition.
    if (statusOf(error) === 403) {
      throw new CommandRejectedError('groupId', `project ${groupId} is not readable with the worker's credentials (403): it belongs to no org of this worker; nothing was sent`, { cause: error });
    }
    throw error;
  }
}

function unassignAction(orgId: string, groupId: string, apiUserId: string, reason: string, key: ApiKey | undefined): Action {
  return { kind: 'unassignFromProject', orgId, groupId, apiUserId, reason, evidence: evidenceOf(key) };
}

function projectsOf(key: ApiKey): string[] {
  return [...new Set(key.roles.flatMap((role) => (role.groupId ? [role.groupId] : [])))];
}

function evidenceOf(key: ApiKey | undefined, publicKey?: string): Evidence {
  return {
    publicKey: key?.publicKey ?? publicKey ?? '',
    ...(typeof key?.desc === 'string' ? { desc: key.desc } : {}),
  };
}
