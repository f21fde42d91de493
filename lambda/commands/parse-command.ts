import { InputValidationError } from '../validation/errors.ts';
import { fieldPath } from './field-path.ts';
import { findJsonHazard } from './find-json-hazard.ts';
import { REVOCATION_DETAIL_TYPE, type RevocationEvent, revocationEventSchema } from './revocation-event-schema.ts';
import { type Command, commandSchema, type RevokeKeyCommand } from './schema.ts';
import { showValue } from './show-value.ts';
import { toValidationError } from './to-validation-error.ts';

/** The largest message accepted, in UTF-8 bytes. */
export const MAX_MESSAGE_BYTES = 64 * 1024;

/**
 * Parses one queue message into a `Command`. Accepts a command object, its JSON text, or an EventBridge event
 * (object or text) whose `detail-type` is "Atlas API Key Revocation Requested", which becomes a `revokeKey`.
 *
 * @throws InputValidationError naming the bad field (`message.apiUserId`, `message.detail.orgId`, or `message`
 *   itself for text over 64 KiB, text that is not JSON, a value that is not an object), with the bad value shown
 *   escaped and truncated. Keys `__proto__`, `constructor` and `prototype` are rejected wherever they appear.
 */
export function parseCommand(input: unknown, source = 'message'): Command {
  const value = toPlainJson(input, source);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InputValidationError(source, `must be a JSON object, given ${describeType(value)}`);
  }
  const hazard = findJsonHazard(value);
  if (hazard !== undefined) {
    if (hazard.hazard === 'forbidden-key') {
      throw new InputValidationError(fieldPath(source, hazard.path), 'is a forbidden key (prototype pollution)');
    }
    throw new InputValidationError(fieldPath(source, hazard.path.slice(0, 1)), 'nests too deep');
  }
  if (Object.hasOwn(value, 'detail-type') || Object.hasOwn(value, 'detail')) return fromEvent(value, source);

  const result = commandSchema.safeParse(value);
  if (!result.success) throw toValidationError(source, result.error.issues, value);
  return result.data;
}

/** Text or an in-process value, as parsed JSON: plain objects and arrays only, nothing from a prototype. */
function toPlainJson(input: unknown, source: string): unknown {
  let text: string;
  if (typeof input === 'string') {
    text = input;
  } else if (typeof input === 'object' && input !== null) {
    // A JSON round trip keeps own enumerable data only: no getters, prototypes, class instances or cycles.
    try {
      text = JSON.stringify(input);
    } catch (error) {
      throw new InputValidationError(source, 'must be a JSON-serialisable object', { cause: error });
    }
  } else {
    throw new InputValidationError(source, `must be a JSON object or its text, given ${describeType(input)}`);
  }
  // UTF-8 is at most 3 bytes per UTF-16 unit: skip the byte count when the text is clearly small or large.
  const bytes = text.length > MAX_MESSAGE_BYTES ? text.length : Buffer.byteLength(text, 'utf8');
  if (bytes > MAX_MESSAGE_BYTES) {
    throw new InputValidationError(source, `must be at most ${MAX_MESSAGE_BYTES} bytes, given ${bytes}${text.length > MAX_MESSAGE_BYTES ? '+' : ''}`);
  }
  if (text.trim() === '') throw new InputValidationError(source, 'is empty');
  try {
    return JSON.parse(text);
  } catch (error) {
    // Not the engine's message: it quotes the input at a length we do not control.
    throw new InputValidationError(source, `is not valid JSON, given ${showValue(text)}`, { cause: error });
  }
}

/** Maps a revocation event to a `revokeKey`; its event id is the `requestId` unless the detail brings one. */
function fromEvent(value: object, source: string): RevokeKeyCommand {
  const detailType: unknown = (value as Record<string, unknown>)['detail-type'];
  if (detailType !== REVOCATION_DETAIL_TYPE) {
    const given = detailType === undefined ? '' : `, given ${showValue(detailType)}`;
    throw new InputValidationError(
      fieldPath(source, ['detail-type']),
      `must be "${REVOCATION_DETAIL_TYPE}" (the only event this queue accepts)${given}`,
    );
  }
  const result = revocationEventSchema.safeParse(value);
  if (!result.success) throw toValidationError(source, result.error.issues, value);
  return toRevokeKey(result.data);
}

function toRevokeKey(event: RevocationEvent): RevokeKeyCommand {
  const { detail } = event;
  return {
    action: 'revokeKey',
    orgId: detail.orgId,
    ...(detail.apiUserId === undefined ? {} : { apiUserId: detail.apiUserId }),
    ...(detail.publicKey === undefined ? {} : { publicKey: detail.publicKey }),
    ...(detail.reason === undefined ? {} : { reason: detail.reason }),
    requestId: detail.requestId ?? event.id,
  };
}

function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (value === undefined) return 'undefined';
  return `a ${typeof value}`;
}
