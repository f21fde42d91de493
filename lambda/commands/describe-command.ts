import type { Command } from './schema.ts';

/**
 * A one-line summary of a command for logs and the CLI, e.g.
 * `deleteOrgKey: delete key 5f0c… from org 6a1b… [requestId=abc]`. Ids, the entry and flags only: the free-text
 * `reason` is left out (a producer might paste anything into it); the audit record carries it.
 */
export function describeCommand(command: Command): string {
  return `${command.action}: ${summary(command)}${command.requestId === undefined ? '' : ` [requestId=${command.requestId}]`}`;
}

function summary(command: Command): string {
  switch (command.action) {
    case 'revokeProjectKey':
      return `unassign key ${command.apiUserId} from project ${command.groupId}`;
    case 'deleteOrgKey':
      return `delete key ${command.apiUserId} from org ${command.orgId}`;
    case 'pruneAccessListEntry':
      return `remove access-list entry ${command.entry} from key ${command.apiUserId} in org ${command.orgId}`;
    case 'revokeKey': {
      const key = command.apiUserId === undefined ? `with public key ${command.publicKey}` : command.apiUserId;
      return `revoke leaked key ${key} everywhere in org ${command.orgId}${command.reason === undefined ? '' : ' (reason given)'}`;
    }
    case 'sweep': {
      const mode = command.dryRun === true ? 'forced dry run' : 'dry run or live per policy';
      const cursor = command.cursor;
      const resume =
        cursor === undefined
          ? ''
          : `, continuing run ${cursor.runId} ${cursor.after === undefined ? `at page ${cursor.page}` : `after key ${cursor.after}`}`;
      return `sweep org ${command.orgId} (${mode}${resume})`;
    }
  }
}
