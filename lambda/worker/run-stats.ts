import type { ClientEvent } from '../atlas/types.ts';
import type { ActionKind } from '../policy/types.ts';
import type { ActionResult, Outcome } from './types.ts';
import { METRIC_NAMES } from '../telemetry/metric-names.ts';

const OUTCOME_METRIC: Record<Outcome, string> = {
  done: METRIC_NAMES.actionsDone,
  'already-absent': METRIC_NAMES.actionsAlreadyAbsent,
  skipped: METRIC_NAMES.actionsSkipped,
  failed: METRIC_NAMES.actionsFailed,
};

/**
 * Counters of one invocation, named as the CloudWatch metrics they become. Kept as plain numbers so that
 * the CLI prints the same figures the Lambda publishes.
 */
export class RunStats {
  readonly counters = new Map<string, number>();
  /** Per action kind: `ActionsDone` → {deleteOrgKey: 3, ...}. */
  readonly byKind = new Map<string, Map<ActionKind, number>>();

  add(name: string, value = 1): void {
    this.counters.set(name, (this.counters.get(name) ?? 0) + value);
  }

  get(name: string): number {
    return this.counters.get(name) ?? 0;
  }

  addForKind(name: string, kind: ActionKind, value = 1): void {
    this.add(name, value);
    const kinds = this.byKind.get(name) ?? new Map<ActionKind, number>();
    kinds.set(kind, (kinds.get(kind) ?? 0) + value);
    this.byKind.set(name, kinds);
  }

  recordResult(result: ActionResult): void {
    this.addForKind(OUTCOME_METRIC[result.outcome], result.action.kind);
  }

  /** Feed from the Atlas client's `onEvent`. */
  recordClientEvent(event: ClientEvent): void {
    if (event.type === 'response') this.add(METRIC_NAMES.apiRequests);
    if (event.type === 'retry') this.add(METRIC_NAMES.retries);
    if (event.type === 'rate-limited') this.add(METRIC_NAMES.rateLimited);
  }

  toJSON(): Record<string, number> {
    return Object.fromEntries([...this.counters.entries()].sort(([a], [b]) => a.localeCompare(b)));
  }
}
