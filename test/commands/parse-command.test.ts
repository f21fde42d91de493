import { describe, expect, it } from 'vitest';
import { parseCommand } from '../../lambda/commands/parse-command.ts';
import { InputValidationError } from '../../lambda/validation/errors.ts';
import { API_USER_ID, GROUP_ID, ORG_ID, revocationEvent } from './factories.ts';

/** The error `act` throws, asserted to be an `InputValidationError`. */
function validationError(act: () => unknown): InputValidationError {
  try {
    act();
  } catch (error) {
    expect(error).toBeInstanceOf(InputValidationError);
    return error as InputValidationError;
  }
  return expect.unreachable('expected an InputValidationError');
}

describe('Function: parseCommand', () => {
  describe('accepts every variant', () => {
    it('revokeProjectKey, from JSON text', () => {
      // Prepare
      const text = JSON.stringify({ action: 'revokeProjectKey', groupId: GROUP_ID, apiUserId: API_USER_ID });
      // Act
      const command = parseCommand(text);
      // Assess
      expect(command).toEqual({ action: 'revokeProjectKey', groupId: GROUP_ID, apiUserId: API_USER_ID });
    });

    it('deleteOrgKey, from an object, with a requestId', () => {
      const command = parseCommand({ action: 'deleteOrgKey', orgId: ORG_ID, apiUserId: API_USER_ID, requestId: 'req 42/a' });
      expect(command).toEqual({ action: 'deleteOrgKey', orgId: ORG_ID, apiUserId: API_USER_ID, requestId: 'req 42/a' });
    });

    it.each([
      ['2001:DB8::1', '2001:db8::1'],
      ['2001:0db8:0000:0000:0000:0000:0000:0001', '2001:db8::1'],
      ['2001:db8::/32', '2001:db8::/32'],
      ['2001:db8::1/128', '2001:db8::1'],
      ['192.0.2.0/24', '192.0.2.0/24'],
      ['192.0.2.7', '192.0.2.7'],
      ['192.0.2.7/32', '192.0.2.7'],
      ['0.0.0.0/0', '0.0.0.0/0'],
    ])('pruneAccessListEntry, normalising entry %s to %s', (entry, normalised) => {
      const command = parseCommand({ action: 'pruneAccessListEntry', orgId: ORG_ID, apiUserId: API_USER_ID, entry });
      expect(command).toEqual({ action: 'pruneAccessListEntry', orgId: ORG_ID, apiUserId: API_USER_ID, entry: normalised });
    });

    it('revokeKey by apiUserId, with a reason', () => {
      const input = { action: 'revokeKey', orgId: ORG_ID, apiUserId: API_USER_ID, reason: 'Leaked in a CI log — rotate' };
      expect(parseCommand(input)).toEqual(input);
    });

    it('revokeKey by publicKey', () => {
      const input = { action: 'revokeKey', orgId: ORG_ID, publicKey: 'zmmrboas' };
      expect(parseCommand(JSON.stringify(input))).toEqual(input);
    });

    it('revokeKey with a reason of exactly 500 characters', () => {
      const input = { action: 'revokeKey', orgId: ORG_ID, publicKey: 'abcd1234', reason: 'é'.repeat(500) };
      expect(parseCommand(input)).toEqual(input);
    });

    it('sweep with only an orgId (the policy decides dry run)', () => {
      expect(parseCommand({ action: 'sweep', orgId: ORG_ID })).toEqual({ action: 'sweep', orgId: ORG_ID });
    });

    it('sweep continuation with dryRun and a cursor anchored on a public key', () => {
      const input = {
        action: 'sweep',
        orgId: ORG_ID,
        dryRun: true,
        cursor: { runId: '2026-03-01-abc', order: 'sorted', after: 'zmmrboas', page: 4 },
        requestId: 'sweep-1',
      };
      expect(parseCommand(JSON.stringify(input))).toEqual(input);
    });

    it('sweep continuation of a listing seen out of order: a page, no anchor', () => {
      const input = { action: 'sweep', orgId: ORG_ID, cursor: { runId: 'r-1', order: 'unsorted', page: 2 } };
      expect(parseCommand(input)).toEqual(input);
    });

    it('a legacy offset cursor becomes an unsorted cursor at the page holding the offset, writes dropped', () => {
      const input = { action: 'sweep', orgId: ORG_ID, cursor: { offset: 1500, writes: 12, runId: '2026-03-01-abc' } };
      const command = parseCommand(JSON.stringify(input));
      expect(command).toEqual({ action: 'sweep', orgId: ORG_ID, cursor: { runId: '2026-03-01-abc', order: 'unsorted', page: 4 } });
      expect(parseCommand(JSON.stringify(command))).toEqual(command);
    });

    it('turns -0 into 0 in a legacy cursor, so the command survives a JSON round trip', () => {
      const text = `{"action":"sweep","orgId":"${ORG_ID}","cursor":{"offset":-0,"writes":-0,"runId":"r"}}`;
      const command = parseCommand(text);
      expect(command.action === 'sweep' && command.cursor).toEqual({ runId: 'r', order: 'unsorted', page: 1 });
      expect(parseCommand(JSON.stringify(command))).toEqual(command);
    });

    it('a legacy cursor at the last page any cursor can name still round-trips', () => {
      const command = parseCommand({ action: 'sweep', orgId: ORG_ID, cursor: { offset: 499_999_999, writes: 0, runId: 'r' } });
      expect(command.action === 'sweep' && command.cursor?.page).toBe(1_000_000);
      expect(parseCommand(JSON.stringify(command))).toEqual(command);
    });

    it('ignores inherited properties and keeps only own data of an object input', () => {
      const input = Object.assign(Object.create({ dryRun: false, extra: 1 }) as object, { action: 'sweep', orgId: ORG_ID });
      expect(parseCommand(input)).toEqual({ action: 'sweep', orgId: ORG_ID });
    });
  });

  describe('maps an EventBridge revocation event to revokeKey', () => {
    it('takes the detail and uses the event id as requestId', () => {
      // Prepare
      const event = revocationEvent();
      // Act
      const command = parseCommand(JSON.stringify(event));
      // Assess
      expect(command).toEqual({
        action: 'revokeKey',
        orgId: ORG_ID,
        publicKey: 'zmmrboas',
        reason: 'Found in a public GitHub repository by the secret scanner',
        requestId: '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
      });
    });

    it("keeps the producer's requestId and accepts an apiUserId", () => {
      const event = revocationEvent({ detail: { orgId: ORG_ID, apiUserId: API_USER_ID, requestId: 'ticket-9' } });
      expect(parseCommand(event)).toEqual({ action: 'revokeKey', orgId: ORG_ID, apiUserId: API_USER_ID, requestId: 'ticket-9' });
    });

    it('accepts a replayed event (EventBridge adds replay-name)', () => {
      const event = revocationEvent({ 'replay-name': 'replay-2026-03-02' });
      expect(parseCommand(event).action).toBe('revokeKey');
    });

    it('accepts an event time with an offset', () => {
      expect(parseCommand(revocationEvent({ time: '2026-03-01T13:00:00+01:00' })).action).toBe('revokeKey');
    });

    it('fails if the detail-type is another one, naming detail-type and showing it', () => {
      const error = validationError(() => parseCommand(revocationEvent({ 'detail-type': 'EC2 Instance State-change Notification' })));
      expect(error.field).toBe('message.detail-type');
      expect(error.message).toContain('"EC2 Instance State-change Notification"');
    });

    it('fails if the detail is invalid, naming the field inside detail', () => {
      const error = validationError(() => parseCommand(revocationEvent({ detail: { orgId: 'nope', publicKey: 'zmmrboas' } })));
      expect(error.field).toBe('message.detail.orgId');
    });
  });

  describe('errors', () => {
    it('names the bad field and shows the bad value', () => {
      const error = validationError(() =>
        parseCommand({ action: 'deleteOrgKey', orgId: ORG_ID, apiUserId: API_USER_ID.toUpperCase() }),
      );
      expect(error.field).toBe('message.apiUserId');
      expect(error.message).toBe(
        'message.apiUserId: must be 24 lowercase hexadecimal digits, given "FEDCBA9876543210FEDCBA98"',
      );
    });

    it('uses the given source as the field prefix', () => {
      const error = validationError(() => parseCommand({ action: 'sweep' }, 'record.body'));
      expect(error.field).toBe('record.body.orgId');
      expect(error.message).toBe('record.body.orgId: is required');
    });

    it('lists the valid actions for an unknown one', () => {
      const error = validationError(() => parseCommand({ action: 'nuke', orgId: ORG_ID }));
      expect(error.message).toMatch(/must be one of "revokeProjectKey", "deleteOrgKey", .*"sweep", given "nuke"/);
    });

    it('escapes look-alikes so that they are visible', () => {
      const error = validationError(() => parseCommand({ action: 'sweep', orgId: `${ORG_ID.slice(0, 23)}а` }));
      expect(error.message).toContain('\\u0430');
    });

    it('truncates a long bad value to 64 characters', () => {
      const error = validationError(() => parseCommand({ action: 'sweep', orgId: 'x'.repeat(5000) }));
      expect(error.message).toMatch(/given "x{62}…"$/);
    });

    it('counts further problems', () => {
      const error = validationError(() => parseCommand({ action: 'deleteOrgKey', orgId: 'a', apiUserId: 'b', extra: 1 }));
      expect(error.field).toBe('message.orgId');
      expect(error.message).toContain('(and 2 more problems)');
    });

    it('fails if an object input cannot be serialised (a cycle)', () => {
      const input: Record<string, unknown> = { action: 'sweep', orgId: ORG_ID };
      input['self'] = input;
      const error = validationError(() => parseCommand(input));
      expect(error.field).toBe('message');
      expect(error.cause).toBeInstanceOf(TypeError);
    });

    it('fails if an object input has a getter that throws, as an InputValidationError', () => {
      const input = {
        action: 'sweep',
        get orgId(): string {
          throw new Error('boom');
        },
      };
      expect(validationError(() => parseCommand(input)).field).toBe('message');
    });

    it.each([undefined, Symbol('x'), () => 1, 10n])('fails if the input is %s', (input) => {
      expect(validationError(() => parseCommand(input)).field).toBe('message');
    });

    it('accepts exactly 64 KiB and fails one byte above', () => {
      const base = JSON.stringify({ action: 'sweep', orgId: ORG_ID, requestId: 'r' });
      const padded = (size: number) => base.slice(0, -1) + ' '.repeat(size - base.length) + '}';
      expect(parseCommand(padded(64 * 1024)).action).toBe('sweep');
      expect(validationError(() => parseCommand(padded(64 * 1024 + 1))).message).toContain('at most 65536 bytes');
    });
  });
});
