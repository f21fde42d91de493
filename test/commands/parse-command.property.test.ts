import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseCommand } from '../../lambda/commands/parse-command.ts';
import { InputValidationError } from '../../lambda/validation/errors.ts';
import { API_USER_ID, ORG_ID } from './factories.ts';

const objectId = fc.stringMatching(/^[a-f0-9]{24}$/);

/** Commands close to valid ones: valid shapes with arbitrary (often wrong) values mixed in. */
const nearCommand = fc.oneof(
  fc.record({ action: fc.constant('revokeProjectKey'), groupId: objectId, apiUserId: objectId }),
  fc.record({ action: fc.constant('deleteOrgKey'), orgId: objectId, apiUserId: fc.oneof(objectId, fc.jsonValue()) }),
  fc.record({
    action: fc.constant('pruneAccessListEntry'),
    orgId: objectId,
    apiUserId: objectId,
    entry: fc.oneof(fc.ipV4(), fc.ipV6(), fc.tuple(fc.ipV4(), fc.integer({ min: -1, max: 40 })).map(([ip, mask]) => `${ip}/${mask}`), fc.string()),
  }),
  fc.record(
    {
      action: fc.constant('revokeKey'),
      orgId: objectId,
      apiUserId: objectId,
      publicKey: fc.stringMatching(/^[a-z0-9]{7,9}$/),
      reason: fc.string({ unit: 'grapheme', maxLength: 20 }),
      requestId: fc.string({ maxLength: 130 }),
    },
    { requiredKeys: ['action', 'orgId'] },
  ),
  fc.record(
    {
      action: fc.constant('sweep'),
      orgId: objectId,
      dryRun: fc.oneof(fc.boolean(), fc.jsonValue()),
      cursor: fc.oneof(
        // Legacy (offset) cursors and the worker's own (anchored) ones, with fields missing, mixed or out of range
        fc.record(
          { offset: fc.integer({ min: -2 }), writes: fc.nat(), runId: fc.stringMatching(/^[A-Za-z0-9-]{0,66}$/), page: fc.integer({ min: 0, max: 3 }) },
          { requiredKeys: ['offset', 'writes', 'runId'] },
        ),
        fc.record(
          {
            runId: fc.stringMatching(/^[A-Za-z0-9-]{0,66}$/),
            order: fc.constantFrom('sorted', 'unsorted', 'random'),
            after: fc.stringMatching(/^[a-z0-9]{0,9}$/),
            page: fc.oneof(fc.integer({ min: -1, max: 1_000_001 }), fc.double()),
            offset: fc.integer({ min: -2 }),
          },
          { requiredKeys: ['runId', 'order', 'page'] },
        ),
      ),
    },
    { requiredKeys: ['action', 'orgId'] },
  ),
  fc.dictionary(fc.constantFrom('action', 'orgId', 'apiUserId', '__proto__', 'detail-type', 'detail', 'cursor'), fc.jsonValue(), { maxKeys: 5 }),
);

/** Runs `parseCommand`; an error that is not an `InputValidationError` fails the property. */
function parseOrReject(input: unknown): unknown {
  try {
    return parseCommand(input);
  } catch (error) {
    if (error instanceof InputValidationError) return undefined;
    throw error;
  }
}

function assertRoundTrip(command: unknown): void {
  if (command === undefined) return;
  const text = JSON.stringify(command);
  expect(JSON.parse(text)).toEqual(command);
  expect(parseCommand(text)).toEqual(command);
}

describe('Property: parseCommand', () => {
  it('throws nothing but InputValidationError for any JSON value', () => {
    fc.assert(fc.property(fc.jsonValue(), (value) => assertRoundTrip(parseOrReject(value))), { numRuns: 2000 });
  });

  it('throws nothing but InputValidationError for any JSON text or string', () => {
    fc.assert(fc.property(fc.oneof(fc.json(), fc.string()), (text) => assertRoundTrip(parseOrReject(text))), { numRuns: 2000 });
  });

  it('throws nothing but InputValidationError for arbitrary JS values', () => {
    fc.assert(
      fc.property(fc.anything({ withBigInt: true, withMap: true, withSet: true, withDate: true, withNullPrototype: true }), (value) =>
        assertRoundTrip(parseOrReject(value)),
      ),
      { numRuns: 1000 },
    );
  });

  it('accepted near-commands round-trip through JSON and parse to themselves', () => {
    let accepted = 0;
    fc.assert(
      fc.property(nearCommand, fc.boolean(), (command, asText) => {
        const parsed = parseOrReject(asText ? JSON.stringify(command) : command);
        if (parsed !== undefined) accepted += 1;
        assertRoundTrip(parsed);
      }),
      { numRuns: 3000 },
    );
    // The generator is only useful if it reaches the accepting paths too.
    expect(accepted).toBeGreaterThan(300);
  });

  it('accepts every well-formed pruneAccessListEntry and normalises idempotently', () => {
    fc.assert(
      fc.property(fc.oneof(fc.ipV4(), fc.ipV6()), (entry) => {
        const command = parseCommand({ action: 'pruneAccessListEntry', orgId: ORG_ID, apiUserId: API_USER_ID, entry });
        assertRoundTrip(command);
      }),
      { numRuns: 1000 },
    );
  });
});
