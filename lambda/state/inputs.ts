import * as z from 'zod';
import { type StateOperation, StateError } from './errors.ts';
import type { KeyState, ReserveRequest } from './types.ts';

/** Org and key ids become part of item keys: letters, digits and `._:-` only (Atlas ids are 24 hex digits). */
export const idSchema = z.string().regex(/^[A-Za-z0-9._:-]{1,128}$/, { message: 'must be 1-128 letters, digits or ._:-' });

/** A valid Date in years 1970-9999 (a budget day is the `YYYY-MM-DD` of its ISO form). */
const dateSchema = z
  .date({ message: 'must be a valid Date' })
  .refine((d) => d.getUTCFullYear() >= 1970 && d.getUTCFullYear() <= 9999, { message: 'must be in the years 1970-9999' });

const epochMsSchema = z.number().int().min(0).max(8_640_000_000_000_000);

export const reserveRequestSchema = z.object({
  orgId: idSchema,
  at: dateSchema,
  limit: z.number().int().min(0).max(1_000_000),
  kind: z.string().regex(/^[A-Za-z][A-Za-z0-9_-]{0,63}$/, { message: 'must be a name: a letter, then letters, digits, _ or -' }),
  mandatory: z.boolean().optional(),
});

export const keyStateSchema = z.object({
  apiUserId: idSchema,
  publicKey: z.string().min(1).max(256),
  descDigest: z.string().max(256),
  rolesDigest: z.string().max(256),
  policyDigest: z.string().max(256),
  nextDueMs: epochMsSchema.nullable(),
  lastFullReadMs: epochMsSchema,
});

const keyStatesSchema = z.array(keyStateSchema);
const idsSchema = z.array(idSchema);

/** Parses or throws a StateError naming the first bad field (`orgId`, `states.3.nextDueMs`, ...). */
function parse<T>(schema: z.ZodType<T>, value: unknown, operation: StateOperation, source: string): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const path = [source, ...(issue?.path ?? []).map(String)].filter((part) => part !== '').join('.');
  const field = path === '' ? source || 'request' : path;
  throw new StateError(`${field}: ${issue?.message ?? 'is invalid'}`, { operation, field });
}

export function parseReserveRequest(value: ReserveRequest): ReserveRequest {
  return parse(reserveRequestSchema, value, 'reserve', '') as ReserveRequest;
}

export function parseOrgId(value: string, operation: StateOperation): string {
  return parse(idSchema, value, operation, 'orgId');
}

export function parseDate(value: Date, operation: StateOperation): Date {
  return parse(dateSchema, value, operation, 'at');
}

export function parseIds(value: readonly string[], operation: StateOperation): string[] {
  return parse(idsSchema, value, operation, 'apiUserIds');
}

export function parseKeyStates(value: readonly KeyState[], operation: StateOperation): KeyState[] {
  return parse(keyStatesSchema, value, operation, 'states');
}

/** Drops repeated ids, keeping first-seen order (DynamoDB rejects a batch that names one key twice). */
export function uniqueIds(ids: readonly string[]): string[] {
  return [...new Set(ids)];
}

/** Last state per id wins, in first-seen order of the ids. */
export function lastStatePerId(states: readonly KeyState[]): KeyState[] {
  const byId = new Map<string, KeyState>();
  for (const state of states) byId.set(state.apiUserId, state);
  return [...byId.values()];
}
