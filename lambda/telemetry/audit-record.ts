import type { ActionResult } from '../worker/types.ts';

/** One structured audit record per action: what, why, evidence, outcome. */
export function auditRecord(result: ActionResult, runId?: string): Record<string, unknown> {
  const { action } = result;
  return {
    audit: true,
    ...(runId === undefined ? {} : { runId }),
    kind: action.kind,
    orgId: action.orgId,
    apiUserId: action.apiUserId,
    ...(action.kind === 'unassignFromProject' ? { groupId: action.groupId } : {}),
    ...(action.kind === 'pruneAccessListEntry' ? { entry: action.entry } : {}),
    reason: action.reason,
    evidence: action.evidence,
    outcome: result.outcome,
    ...(result.detail === undefined ? {} : { detail: result.detail }),
    ...(result.error === undefined ? {} : { error: result.error }),
    durationMs: result.durationMs,
  };
}
