import { AtlasDeadlineError } from '../atlas/errors.ts';
import type { AtlasClient, DeleteOutcome } from '../atlas/types.ts';
import type { Action, ActionKind } from '../policy/types.ts';
import { describeError } from './describe-error.ts';
import { mapConcurrent } from './map-concurrent.ts';
import type { ActionResult } from './types.ts';

export interface ExecuteOptions {
  readonly client: AtlasClient;
  /** When true, no request is sent: every action ends `skipped` ("dry run"). */
  readonly dryRun: boolean;
  /** Actions in flight at once within one phase. @default 4 */
  readonly concurrency?: number;
  /** Absolute deadline (epoch ms); an action that cannot start `marginMs` before it is skipped. */
  readonly deadline?: number;
  /** @default 1000 */
  readonly marginMs?: number;
  /** Revocations: exempt from the pacer's rate-limit share (they are few and must not wait). */
  readonly urgent?: boolean;
  /**
   * Checked right before an action is sent, on fresh data (an access-list entry: its key's access list re-read).
   * `skip` leaves it unsent with the reason; `absent` reports its goal as already reached.
   */
  readonly recheck?: (action: Action) => Promise<Recheck | undefined>;
  /**
   * Reserves the write in the durable budget right before it is sent (after the recheck, so a refused action
   * wastes nothing): a reason string refuses it, and the action is skipped with that reason. Reserve first: a
   * crash after reserving can only waste budget, never exceed it.
   */
  readonly reserve?: (action: Action) => Promise<string | undefined>;
  /** Called as each action ends (audit records, metrics, progress). */
  readonly onResult?: (result: ActionResult) => void;
  /** @default Date.now */
  readonly clock?: () => number;
}

export type Recheck = { readonly skip: string } | { readonly absent: string };

/** Least destructive first: if a run is cut short, what is left undone is the most destructive part. */
const PHASES: readonly ActionKind[] = ['pruneAccessListEntry', 'unassignFromProject', 'deleteOrgKey'];

/**
 * Executes write actions phase by phase (prune, unassign, delete), with bounded concurrency inside a phase.
 * Never throws for one action's failure: every action gets an outcome. Results come back in input order.
 */
export async function executeActions(actions: readonly Action[], options: ExecuteOptions): Promise<ActionResult[]> {
  const clock = options.clock ?? Date.now;
  const results = new Array<ActionResult>(actions.length);
  for (const phase of PHASES) {
    // One key's actions of a phase run one after another: each prune re-reads the access list that the one
    // before it changed. Different keys run concurrently.
    const byKey = new Map<string, number[]>();
    actions.forEach((action, index) => {
      if (action.kind !== phase) return;
      const lane = phase === 'pruneAccessListEntry' ? action.apiUserId : String(index);
      byKey.set(lane, [...(byKey.get(lane) ?? []), index]);
    });
    await mapConcurrent([...byKey.values()], options.concurrency ?? 4, async (indexes) => {
      for (const index of indexes) {
        const result = await executeOne(actions[index] as Action, options, clock);
        results[index] = result;
        options.onResult?.(result);
      }
    });
  }
  return results;
}

async function executeOne(action: Action, options: ExecuteOptions, clock: () => number): Promise<ActionResult> {
  const started = clock();
  const finish = (rest: Omit<ActionResult, 'action' | 'durationMs'>): ActionResult => ({
    action,
    ...rest,
    durationMs: clock() - started,
  });
  if (options.dryRun) return finish({ outcome: 'skipped', detail: 'dry run: no request sent' });
  if (options.deadline !== undefined && clock() > options.deadline - (options.marginMs ?? 1000)) {
    return finish({ outcome: 'skipped', detail: 'deadline reached before the action could start' });
  }
  try {
    const recheck = await options.recheck?.(action);
    if (recheck !== undefined) {
      return 'skip' in recheck ? finish({ outcome: 'skipped', detail: recheck.skip }) : finish({ outcome: 'already-absent', detail: recheck.absent });
    }
    const refusal = await options.reserve?.(action);
    if (refusal !== undefined) return finish({ outcome: 'skipped', detail: refusal });
    const outcome = await send(action, options);
    return finish({ outcome });
  } catch (error) {
    // Nothing was sent (a rate-limit wait would have ended past the deadline): deferred, like an action that
    // could not start, rather than failed. Once a request has gone out, the server may have acted: failed.
    if (error instanceof AtlasDeadlineError && error.attempts === 0) {
      return finish({ outcome: 'skipped', detail: `deadline reached before the action could be sent: ${error.message}` });
    }
    const { summary, details } = describeError(error);
    return finish({ outcome: 'failed', detail: summary, error: details });
  }
}

function send(action: Action, options: ExecuteOptions): Promise<DeleteOutcome> {
  const call = { ...(options.deadline === undefined ? {} : { deadline: options.deadline }), ...(options.urgent ? { urgent: true } : {}) };
  switch (action.kind) {
    case 'pruneAccessListEntry':
      return options.client.deleteAccessListEntry(action.orgId, action.apiUserId, action.entry, call);
    case 'unassignFromProject':
      return options.client.removeKeyFromProject(action.groupId, action.apiUserId, call);
    case 'deleteOrgKey':
      return options.client.deleteOrgKey(action.orgId, action.apiUserId, call);
  }
}
