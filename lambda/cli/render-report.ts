import type { Finding } from '../policy/types.ts';
import type { ActionResult, SweepSummary } from '../worker/types.ts';

/** A fixed-width table; long cells are cut with an ellipsis so that rows stay on one line. */
export function renderTable(headers: readonly string[], rows: readonly (readonly string[])[], maxWidth = 48): string {
  const cut = (text: string) => (text.length > maxWidth ? `${text.slice(0, maxWidth - 1)}…` : text);
  const cells = [headers, ...rows].map((row) => row.map(cut));
  const widths = headers.map((_, column) => Math.max(...cells.map((row) => (row[column] ?? '').length)));
  return cells
    .map((row) => row.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  ').trimEnd())
    .join('\n');
}

function targetOf(result: ActionResult): string {
  const { action } = result;
  if (action.kind === 'unassignFromProject') return `project ${action.groupId}`;
  if (action.kind === 'pruneAccessListEntry') return `entry ${action.entry}`;
  return `org ${action.orgId}`;
}

/** The action table (at most `maxRows` rows; `--json` lists all), then every failure in full. */
export function renderResults(results: readonly ActionResult[], maxRows = 100): string {
  if (results.length === 0) return 'No actions.';
  const rows = results.slice(0, maxRows).map((r) => [
    r.outcome,
    r.action.kind,
    r.action.evidence.publicKey || r.action.apiUserId,
    targetOf(r),
    r.detail && r.outcome !== 'done' ? `${r.action.reason} — ${r.detail}` : r.action.reason,
  ]);
  const parts = [renderTable(['OUTCOME', 'ACTION', 'KEY', 'TARGET', 'REASON'], rows, 72)];
  if (results.length > maxRows) parts.push(`… and ${results.length - maxRows} more actions (--json lists all)`);
  const failures = results.filter((r) => r.outcome === 'failed');
  if (failures.length > 0) {
    parts.push('Failures:', ...failures.map((r) => `  ${r.action.kind} ${r.action.evidence.publicKey || r.action.apiUserId} (${targetOf(r)}): ${r.detail ?? ''}`));
  }
  return parts.join('\n');
}

export function renderFindings(findings: readonly Finding[], total: number): string {
  if (total === 0) return '';
  const rows = findings.map((f) => [f.kind, f.evidence.publicKey || f.apiUserId, f.reason]);
  const more = total > findings.length ? `\n… and ${total - findings.length} more findings` : '';
  return `Findings (no action taken):\n${renderTable(['FINDING', 'KEY', 'WHY'], rows, 80)}${more}`;
}

export function countOutcomes(results: readonly ActionResult[]): Record<string, number> {
  const counts: Record<string, number> = { done: 0, 'already-absent': 0, skipped: 0, failed: 0 };
  for (const r of results) counts[r.outcome] = (counts[r.outcome] ?? 0) + 1;
  return counts;
}

export function countKinds(results: readonly ActionResult[]): Record<string, number> {
  const counts: Record<string, number> = { pruneAccessListEntry: 0, unassignFromProject: 0, deleteOrgKey: 0 };
  for (const r of results) counts[r.action.kind] = (counts[r.action.kind] ?? 0) + 1;
  return counts;
}

export function renderSweepSummary(sweep: SweepSummary): string {
  const kinds = countKinds(sweep.results);
  const outcomes = countOutcomes(sweep.results);
  const lines = [
    `Org ${sweep.orgId}${sweep.dryRun ? ' (dry run: nothing was changed)' : ''}`,
    `  scanned   ${sweep.keysScanned} keys, ${sweep.entriesScanned} access-list entries in ${(sweep.durationMs / 1000).toFixed(1)} s${sweep.keysSkipped > 0 ? ` (${sweep.keysSkipped} more listed, not due: skipped)` : ''}`,
    `  planned   ${sweep.results.length} actions: ${kinds['pruneAccessListEntry']} prune entry, ${kinds['unassignFromProject']} unassign from project, ${kinds['deleteOrgKey']} delete org key`,
    `  outcomes  ${outcomes['done']} done, ${outcomes['already-absent']} already absent, ${outcomes['skipped']} skipped, ${outcomes['failed']} failed`,
    `  findings  ${sweep.findingsTotal}`,
  ];
  if (sweep.budgetExhausted) {
    const { limit, used, skipped } = sweep.budgetExhausted;
    lines.push(
      `  WRITE BUDGET EXHAUSTED: ${used} of ${limit} writes used for this org today (maxWritesPerOrgPerDay); ${skipped} planned action(s) not sent. Check the policy and the data, or raise the budget.`,
    );
  }
  if (sweep.continuation) lines.push(`  stopped early; resume with cursor ${JSON.stringify(sweep.continuation)}`);
  return lines.join('\n');
}
