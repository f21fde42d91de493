import { describe, expect, it } from 'vitest';
import { describeCommand } from '../../lambda/commands/describe-command.ts';
import { parseCommand } from '../../lambda/commands/parse-command.ts';
import { API_USER_ID, GROUP_ID, ORG_ID } from './factories.ts';

describe('Function: describeCommand', () => {
  it.each([
    [
      { action: 'revokeProjectKey', groupId: GROUP_ID, apiUserId: API_USER_ID },
      `revokeProjectKey: unassign key ${API_USER_ID} from project ${GROUP_ID}`,
    ],
    [
      { action: 'deleteOrgKey', orgId: ORG_ID, apiUserId: API_USER_ID, requestId: 'r-1' },
      `deleteOrgKey: delete key ${API_USER_ID} from org ${ORG_ID} [requestId=r-1]`,
    ],
    [
      { action: 'pruneAccessListEntry', orgId: ORG_ID, apiUserId: API_USER_ID, entry: '2001:DB8::/32' },
      `pruneAccessListEntry: remove access-list entry 2001:db8::/32 from key ${API_USER_ID} in org ${ORG_ID}`,
    ],
    [
      { action: 'revokeKey', orgId: ORG_ID, publicKey: 'zmmrboas' },
      `revokeKey: revoke leaked key with public key zmmrboas everywhere in org ${ORG_ID}`,
    ],
    [
      { action: 'sweep', orgId: ORG_ID, dryRun: true },
      `sweep: sweep org ${ORG_ID} (forced dry run)`,
    ],
    [
      { action: 'sweep', orgId: ORG_ID, cursor: { runId: 'run-7', order: 'sorted', after: 'zmmrboas', page: 3 } },
      `sweep: sweep org ${ORG_ID} (dry run or live per policy, continuing run run-7 after key zmmrboas)`,
    ],
    [
      { action: 'sweep', orgId: ORG_ID, cursor: { runId: 'run-7', order: 'unsorted', page: 3 } },
      `sweep: sweep org ${ORG_ID} (dry run or live per policy, continuing run run-7 at page 3)`,
    ],
    [
      // A legacy offset cursor resumes at the page holding that offset (500 keys a page)
      { action: 'sweep', orgId: ORG_ID, cursor: { offset: 1500, writes: 3, runId: 'run-7' } },
      `sweep: sweep org ${ORG_ID} (dry run or live per policy, continuing run run-7 at page 4)`,
    ],
  ])('summarises %o on one line', (input, expected) => {
    expect(describeCommand(parseCommand(input))).toBe(expected);
  });

  it('leaves the free-text reason out', () => {
    const command = parseCommand({ action: 'revokeKey', orgId: ORG_ID, apiUserId: API_USER_ID, reason: 'key=abcd-secret-ish' });
    const line = describeCommand(command);
    expect(line).not.toContain('secret-ish');
    expect(line).toBe(`revokeKey: revoke leaked key ${API_USER_ID} everywhere in org ${ORG_ID} (reason given)`);
  });
});
