import type { Command } from '../commands/schema.ts';

/** Commands that change an org's keys in place: one writer per org, so only on the FIFO work lane. */
const WORK_LANE_ONLY = new Set<Command['action']>(['sweep', 'pruneAccessListEntry', 'revokeProjectKey']);

/**
 * Why a queue record must not run where it arrived, or `undefined`. Sweeps, prunes and unassignments must come
 * through the FIFO work lane (message group = org), where no two of them run for one org at once; whole-key
 * revocations may come through either lane. Records without a source ARN (tests, direct calls) are not checked.
 */
export function laneRefusal(command: Command, eventSourceArn: string | undefined): string | undefined {
  if (eventSourceArn === undefined || eventSourceArn === '' || eventSourceArn.endsWith('.fifo')) return undefined;
  if (!WORK_LANE_ONLY.has(command.action)) return undefined;
  return `action: ${command.action} must be sent to the FIFO work lane (one writer per org), not to ${eventSourceArn.split(':').pop()}; only revokeKey and deleteOrgKey may use the urgent lane`;
}
