import { renderTable } from '../cli/render-report.ts';
import type { CheckReport } from './types.ts';

const SHOWN_STATUS = { pass: 'pass', fail: 'FAIL', warn: 'warn' } as const;

/** The table an operator reads: one row per check, then every failure and warning in full with its fix. */
export function renderCheckReport(report: CheckReport): string {
  const rows = report.checks.map((check) => [SHOWN_STATUS[check.status], check.orgId ?? '-', check.name, check.detail]);
  const parts = [renderTable(['STATUS', 'ORG', 'CHECK', 'DETAIL'], rows, 96)];
  const failures = report.checks.filter((check) => check.status === 'fail');
  if (failures.length > 0) {
    parts.push(
      ['Failures (fix each, then run check again):', ...failures.map((check) => `  ${check.name}${check.orgId ? ` (org ${check.orgId})` : ''}: ${check.detail}\n    fix: ${check.fix ?? ''}`)].join('\n'),
    );
  }
  const warnings = report.checks.filter((check) => check.status === 'warn');
  if (warnings.length > 0) {
    parts.push(
      ['Warnings:', ...warnings.map((check) => `  ${check.name}${check.orgId ? ` (org ${check.orgId})` : ''}: ${check.detail}${check.fix ? `\n    fix: ${check.fix}` : ''}`)].join('\n'),
    );
  }
  const { pass, fail, warn } = report.counts;
  parts.push(`${pass} passed, ${fail} failed, ${warn} warning${warn === 1 ? '' : 's'}: ${report.ok ? 'ready' : 'NOT ready'}`);
  return parts.join('\n\n');
}
