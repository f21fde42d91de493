import { describe, expect, it } from 'vitest';
import { parseCommand } from '../../lambda/commands/parse-command.ts';
import { InputValidationError } from '../../lambda/validation/errors.ts';
import { ORG_ID, readFixture } from './factories.ts';

interface HostileCase {
  readonly name: string;
  readonly input: unknown;
  /** The expected `InputValidationError.field`. */
  readonly field: string;
  /** Inputs too large for the file, built here. */
  readonly generate?: 'oversized-text' | 'oversized-object' | 'oversized-multibyte' | 'deep-nesting';
}

const cases = readFixture<HostileCase[]>('hostile-messages.json');

/** Longest stretch of the input an error message may repeat verbatim. */
const MAX_ECHOED = 100;

function inputOf(hostile: HostileCase): unknown {
  const revoke = { action: 'revokeKey', orgId: ORG_ID, publicKey: 'zmmrboas' };
  switch (hostile.generate) {
    case undefined:
      return hostile.input;
    case 'oversized-text':
      return JSON.stringify({ ...revoke, reason: 'x'.repeat(70_000) });
    case 'oversized-object':
      return { ...revoke, reason: 'x'.repeat(70_000) };
    case 'oversized-multibyte':
      // 22,000 UTF-16 units, 66,000 UTF-8 bytes.
      return JSON.stringify({ ...revoke, reason: '€'.repeat(22_000) });
    case 'deep-nesting':
      return `{"action":"sweep","orgId":${'['.repeat(20_000)}${']'.repeat(20_000)}}`;
  }
}

/** The first window of more than `MAX_ECHOED` characters of `message` that also occurs in `text`, if any. */
function longEcho(message: string, text: string): string | undefined {
  for (let start = 0; start + MAX_ECHOED < message.length; start += 1) {
    const window = message.slice(start, start + MAX_ECHOED + 1);
    if (text.includes(window)) return window;
  }
  return undefined;
}

describe('Fixture: hostile-messages.json', () => {
  it('has at least 60 cases with unique names', () => {
    expect(cases.length).toBeGreaterThanOrEqual(60);
    expect(new Set(cases.map((hostile) => hostile.name)).size).toBe(cases.length);
  });

  describe.each(cases)('$name', (hostile) => {
    it(`fails naming ${hostile.field}, without echoing the input`, () => {
      // Prepare
      const input = inputOf(hostile);
      // Act
      let thrown: unknown;
      try {
        parseCommand(input);
      } catch (error) {
        thrown = error;
      }
      // Assess
      expect(thrown).toBeInstanceOf(InputValidationError);
      const error = thrown as InputValidationError;
      expect(error.field).toBe(hostile.field);
      expect(error.message.startsWith(`${error.field}: `)).toBe(true);
      expect(error.message.length).toBeLessThanOrEqual(400);
      // One line of printable ASCII (and the truncation mark): no raw control, bidi or look-alike characters.
      expect(error.message).toMatch(/^[\x20-\x7E…]*$/);
      const text = typeof input === 'string' ? input : (JSON.stringify(input) ?? '');
      expect(longEcho(error.message, text)).toBeUndefined();
    });
  });
});
