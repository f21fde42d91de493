import * as z from 'zod';
import { parseAccessListEntry } from '../validation/access-list-entry.ts';
import { InputValidationError } from '../validation/errors.ts';
import { objectIdSchema } from '../policy/schema.ts';

/**
 * Atlas public keys are 8 characters (`minLength: 8, maxLength: 8` in the Admin API spec, e.g. `zmmrboas`).
 * Observed keys are lowercase letters; digits are allowed too, since the alphabet is not documented.
 */
export const publicKeySchema = z
  .string()
  .regex(/^[a-z0-9]{8}$/, { message: 'must be 8 lowercase letters or digits (an Atlas public key)' });

/** A correlation id for logs: 1-128 printable ASCII characters. */
export const requestIdSchema = z
  .string()
  .regex(/^[\x20-\x7E]{1,128}$/, { message: 'must be 1-128 printable ASCII characters' })
  .describe('Optional correlation id, echoed in every log line and audit record: 1-128 printable ASCII characters.');

/** No control, format (bidi), private-use, unassigned or surrogate code points, no line or paragraph separators. */
const PRINTABLE_TEXT = /^[^\p{C}\u2028\u2029]*$/u;

const reasonSchema = z
  .string()
  .min(1)
  .max(500)
  .regex(PRINTABLE_TEXT, { message: 'must be printable text (no control or format characters)' })
  .describe('Why the key is revoked, free text for the audit log: 1-500 printable characters.');

/** Counters are safe non-negative integers; `+ 0` turns `-0` into `0` so a command survives a JSON round trip. */
const counterSchema = z
  .int()
  .min(0)
  .transform((value) => value + 0);

/** Legacy cursors (offset-based, before the listing was anchored) resume at their page, read with overlap. */
const LEGACY_PAGE_SIZE = 500;
const MAX_CURSOR_PAGE = 1_000_000;

/**
 * A cursor is either the worker's own (`order` and `page`, `after` when sorted) or a legacy one (`offset` and
 * `writes`, both); a mix of the two, or a half of either, would resume somewhere unintended. The issue names
 * the field to fix.
 */
function oneCursorShape(cursor: Record<string, unknown>, ctx: z.RefinementCtx): void {
  const problem = cursorShapeProblem((field) => cursor[field] !== undefined, cursor['order']);
  if (problem !== undefined) ctx.addIssue({ code: 'custom', path: [problem.field], message: problem.message });
}

function cursorShapeProblem(has: (field: string) => boolean, order: unknown): { field: string; message: string } | undefined {
  if (has('offset') || has('writes')) {
    const mixed = ['order', 'after', 'page'].find(has);
    if (mixed !== undefined) return { field: mixed, message: 'must not be given together with offset/writes (a legacy cursor): give one shape' };
    if (!has('offset')) return { field: 'offset', message: 'is required in a legacy cursor (with writes)' };
    if (!has('writes')) return { field: 'writes', message: 'is required in a legacy cursor (with offset)' };
    return undefined;
  }
  if (!has('order')) return { field: 'order', message: 'is required ("sorted" or "unsorted")' };
  if (!has('page')) return { field: 'page', message: 'is required (the listing page to start from)' };
  if (order === 'unsorted' && has('after')) return { field: 'after', message: 'must not be given with order "unsorted" (that cursor resumes at its page)' };
  return undefined;
}

/** The cursor shapes as JSON Schema (zod refinements are not exported). */
const ONE_CURSOR_SHAPE = {
  oneOf: [
    { required: ['order', 'page'], not: { anyOf: [{ required: ['offset'] }, { required: ['writes'] }] } },
    { required: ['offset', 'writes'], not: { anyOf: [{ required: ['order'] }, { required: ['after'] }, { required: ['page'] }] } },
  ],
};

export const sweepCursorSchema = z
  .strictObject({
    runId: z
      .string()
      .regex(/^[A-Za-z0-9-]{1,64}$/, { message: 'must be 1-64 letters, digits or "-"' })
      .describe('The id of the sweep run being continued: 1-64 letters, digits or "-".'),
    order: z
      .enum(['sorted', 'unsorted'])
      .describe('"sorted": resume after the key `after`; "unsorted": the listing was out of order, resume at `page`.')
      .optional(),
    after: z
      .string()
      .regex(/^[A-Za-z0-9]{1,64}$/, { message: 'must be 1-64 letters or digits (a public key)' })
      .describe('The public key of the last key whose work is finished (the listing is sorted by public key).')
      .optional(),
    page: z.int().min(1).max(MAX_CURSOR_PAGE).describe('The listing page (1-based) to start from: a hint when sorted.').optional(),
    offset: z
      .int()
      .min(0)
      .max(MAX_CURSOR_PAGE * LEGACY_PAGE_SIZE - 1)
      .transform((value) => value + 0)
      .describe('Deprecated (offset cursors of earlier versions, with `writes`): resumed at its page, with overlap.')
      .optional(),
    writes: counterSchema.describe('Deprecated and ignored (with `offset`): writes are counted by the durable per-day budget.').optional(),
  })
  .superRefine(oneCursorShape)
  .transform(({ runId, order, after, page, offset }) => {
    if (offset !== undefined) return { runId, order: 'unsorted' as const, page: Math.floor(offset / LEGACY_PAGE_SIZE) + 1 };
    return { runId, order: order ?? ('sorted' as const), page: page ?? 1, ...(after === undefined ? {} : { after }) };
  })
  .meta({ description: 'Where a sweep that ran out of time stopped. Written by the worker; producers omit it.', ...ONE_CURSOR_SHAPE });

const entrySchema = z
  .string()
  .min(1)
  .max(49)
  .transform((value, ctx) => {
    try {
      return parseAccessListEntry(value, 'entry').normalised;
    } catch (error) {
      if (!(error instanceof InputValidationError)) throw error;
      // "entry: <why>, given <value>": keep the why; the caller shows the value its own (escaped) way.
      const problem = error.message.slice('entry: '.length);
      const cut = problem.indexOf(', given ');
      ctx.addIssue({ code: 'custom', input: value, message: cut === -1 ? problem : problem.slice(0, cut) });
      return z.NEVER;
    }
  })
  .describe(
    'The access-list entry to remove: an IPv4/IPv6 address or CIDR block (e.g. "192.0.2.0/24", "2001:db8::/32"). ' +
      'Normalised: lowercase, compressed IPv6, no "/32" or "/128" on a single address.',
  );

/** An Atlas id field with its own description. */
const objectId = (what: string) => objectIdSchema.describe(`${what}: 24 lowercase hexadecimal digits.`);

const revokeKeyFields = {
  orgId: objectId('The organization the key belongs to'),
  apiUserId: objectIdSchema
    .describe('The key by its id (`id` in the Atlas API), 24 lowercase hexadecimal digits. Give this or `publicKey`, not both.')
    .optional(),
  publicKey: publicKeySchema
    .describe('The key by its public key, e.g. "zmmrboas" (8 lowercase letters or digits). Give this or `apiUserId`, not both.')
    .optional(),
  reason: reasonSchema.optional(),
  requestId: requestIdSchema.optional(),
};

/** Exactly one of `apiUserId` / `publicKey`; the issue names the field to fix. */
function exactlyOneKeyReference(value: { apiUserId?: unknown; publicKey?: unknown }, ctx: z.RefinementCtx): void {
  const hasId = value.apiUserId !== undefined;
  const hasPublicKey = value.publicKey !== undefined;
  if (!hasId && !hasPublicKey) {
    ctx.addIssue({ code: 'custom', path: ['apiUserId'], message: 'is required (or give publicKey instead)' });
  } else if (hasId && hasPublicKey) {
    ctx.addIssue({ code: 'custom', path: ['publicKey'], message: 'must not be given together with apiUserId: give exactly one' });
  }
}

/** The key-reference one-of, as JSON Schema (zod refinements are not exported). */
const EXACTLY_ONE_KEY_REFERENCE = { oneOf: [{ required: ['apiUserId'] }, { required: ['publicKey'] }] };

/** The `detail` of an "Atlas API Key Revocation Requested" EventBridge event: a `revokeKey` without `action`. */
export const revokeKeyDetailSchema = z
  .strictObject(revokeKeyFields)
  .superRefine(exactlyOneKeyReference)
  .meta({
    description:
      'The detail of an EventBridge event with detail-type "Atlas API Key Revocation Requested": the key to revoke. ' +
      'Give exactly one of apiUserId and publicKey. The event id becomes the requestId unless one is given.',
    ...EXACTLY_ONE_KEY_REFERENCE,
  });

export const revokeProjectKeySchema = z
  .strictObject({
    action: z.literal('revokeProjectKey').describe('Unassign one key from one project.'),
    groupId: objectId('The project to remove the key from'),
    apiUserId: objectId('The key to remove from the project'),
    requestId: requestIdSchema.optional(),
  })
  .describe('Unassigns one API key from one project. The org key and its other projects are untouched.');

export const deleteOrgKeySchema = z
  .strictObject({
    action: z.literal('deleteOrgKey').describe('Delete one key from its organization.'),
    orgId: objectId('The organization that owns the key'),
    apiUserId: objectId('The key to delete (it leaves every project too)'),
    requestId: requestIdSchema.optional(),
  })
  .describe('Deletes one API key from its organization, which also removes it from every project.');

export const pruneAccessListEntrySchema = z
  .strictObject({
    action: z.literal('pruneAccessListEntry').describe("Remove one entry from one key's access list."),
    orgId: objectId('The organization that owns the key'),
    apiUserId: objectId('The key whose access list is pruned'),
    entry: entrySchema,
    requestId: requestIdSchema.optional(),
  })
  .describe("Removes one entry from one key's API access list.");

export const revokeKeySchema = z
  .strictObject({ action: z.literal('revokeKey').describe('Revoke a leaked key everywhere, now.'), ...revokeKeyFields })
  .superRefine(exactlyOneKeyReference)
  .meta({
    description:
      'A leaked key: deleted from the organization (and so from every project) now, outside any sweep. ' +
      'Give exactly one of apiUserId and publicKey.',
    ...EXACTLY_ONE_KEY_REFERENCE,
  });

export const sweepSchema = z
  .strictObject({
    action: z.literal('sweep').describe('Sweep one organization by the policy.'),
    orgId: objectId('The organization to sweep (it must be listed in the policy)'),
    dryRun: z
      .boolean()
      .describe(
        'true forces a dry run (no write is sent) even when the policy allows writes. ' +
          "Absent or false, the policy's dryRun decides: a message cannot turn writes on.",
      )
      .optional(),
    full: z
      .boolean()
      .describe('true reads every key\'s access list (a full sweep) even where the state table would allow an incremental one.')
      .optional(),
    cursor: sweepCursorSchema.optional(),
    requestId: requestIdSchema.optional(),
  })
  .describe('Sweeps one organization by the policy: inventory, plan, execute.');

/** The queue command contract: one message, one command, discriminated by `action`. Unknown fields are rejected. */
export const commandSchema = z.discriminatedUnion('action', [
  revokeProjectKeySchema,
  deleteOrgKeySchema,
  pruneAccessListEntrySchema,
  revokeKeySchema,
  sweepSchema,
]);

export type Command = z.output<typeof commandSchema>;
/** What a producer may send (before normalisation). */
export type CommandInput = z.input<typeof commandSchema>;
export type CommandAction = Command['action'];
export type RevokeProjectKeyCommand = z.output<typeof revokeProjectKeySchema>;
export type DeleteOrgKeyCommand = z.output<typeof deleteOrgKeySchema>;
export type PruneAccessListEntryCommand = z.output<typeof pruneAccessListEntrySchema>;
export type RevokeKeyCommand = z.output<typeof revokeKeySchema>;
export type SweepCommand = z.output<typeof sweepSchema>;
export type SweepCursor = z.output<typeof sweepCursorSchema>;
export type RevokeKeyDetail = z.output<typeof revokeKeyDetailSchema>;

/** Every action, in the order of the union. */
export const COMMAND_ACTIONS = commandSchema.options.map((option) => option.shape.action.value) as readonly CommandAction[];
