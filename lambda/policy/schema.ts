import * as z from 'zod';
import { parseAccessListEntry } from '../validation/access-list-entry.ts';
import { checkPattern } from './check-pattern.ts';

/** Atlas object ids: 24 lowercase hex digits. */
export const objectIdSchema = z
  .string()
  .regex(/^[a-f0-9]{24}$/, { message: 'must be 24 lowercase hexadecimal digits' });

/** A policy regex in RE2 syntax; `captureGroups` is the exact count it must have, when that matters. */
const patternSource = (captureGroups?: number) =>
  z
    .string()
    .max(1000)
    .superRefine((source, ctx) => {
      const problem = checkPattern(source, captureGroups);
      if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
    });

const accessListEntryText = z.string().superRefine((value, ctx) => {
  try {
    parseAccessListEntry(value);
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: (error as Error).message.replace(/^entry: /, '') });
  }
});

const LOOPBACK_HOST = /^(?:localhost|\[::1\]|127\.\d{1,3}\.\d{1,3}\.\d{1,3})$/;

/** An Atlas base URL: `https://`, or plain `http://` to a loopback host (a local simulator). */
const baseUrlSchema = z.string().superRefine((text, ctx) => {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    ctx.addIssue({ code: 'custom', message: 'must be an absolute URL such as https://cloud.mongodb.com' });
    return;
  }
  // Never echo a URL that carries credentials; the host alone is safe to show.
  if (url.username !== '' || url.password !== '') {
    ctx.addIssue({ code: 'custom', message: 'must not contain credentials (user:password@)' });
    return;
  }
  const secure = url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK_HOST.test(url.hostname));
  if (!secure) {
    ctx.addIssue({
      code: 'custom',
      message: `must use https:// (plain http:// only for a loopback host: 127.0.0.0/8, localhost, [::1]), given ${url.protocol}//${url.host}`,
    });
  }
});

// Secrets Manager names allow letters, digits and /_+=.@- (no colon), so anything starting `arn:` is an ARN.
const SECRET_NAME = /^[A-Za-z0-9/_+=.@-]{1,512}$/;
const SECRET_ARN = /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]{1,512}$/;

const secretIdSchema = z
  .string()
  .min(1, { abort: true })
  .regex(/^\S+$/, { message: 'must not contain whitespace', abort: true })
  .refine((id) => (id.startsWith('arn:') ? SECRET_ARN.test(id) : SECRET_NAME.test(id)), {
    message:
      'must be a Secrets Manager secret name (letters, digits, /_+=.@-) or ARN (arn:aws:secretsmanager:<region>:<account>:secret:<name>)',
  });

export const managedOrgSchema = z.strictObject({
  /** The organization to sweep. */
  orgId: objectIdSchema,
  /** Overrides the credentials' flavour for this org. */
  flavor: z.enum(['atlas', 'ops-manager']).optional(),
  /** Overrides the credentials' base URL for this org (origin only). `https://`; `http://` only for loopback. */
  baseUrl: baseUrlSchema.optional(),
  /** Secrets Manager secret (name or ARN) holding this org's credentials. @default - the worker's own secret */
  secretId: secretIdSchema.optional(),
});

export const protectedKeysSchema = z.strictObject({
  /** API key ids (`apiUserId`) never touched. */
  ids: z.array(objectIdSchema).default([]),
  /** Public keys never touched. Whitespace is rejected, not trimmed: a stray space would protect nothing. */
  publicKeys: z
    .array(z.string().min(1).max(64).regex(/^\S+$/, { message: 'must not contain whitespace' }))
    .default([]),
  /** A key whose description matches any of these regexes (RE2 syntax, unanchored) is never touched. */
  descriptionPatterns: z.array(patternSource()).default([]),
});

const writeBudget = z.number().int().min(0).max(100_000);
const DEFAULT_WRITES_PER_ORG_PER_DAY = 50;

const policyFields = z.strictObject({
  orgs: z.array(managedOrgSchema).min(1, { message: 'must list at least one organization' }),
  /**
   * Sweeps only (scheduled, queued and CLI sweeps): while true, a sweep sends no write request and reports
   * what it would do. Explicit commands are governed by `commands`, not by this.
   */
  dryRun: z.boolean().default(true),
  /**
   * Explicit commands only — `revokeKey`, `deleteOrgKey`, `revokeProjectKey`, `pruneAccessListEntry` (queue
   * messages, revocation events, direct invocations, the CLI): `execute` carries them out, `dry-run` reports
   * what they would do and sends no write, `reject` refuses them. The self-key, protected-key and access-list
   * entry rules apply in every mode.
   */
  commands: z.enum(['execute', 'dry-run', 'reject']).default('execute'),
  /** An access-list entry whose `lastUsed` is older than this is stale. */
  accessListIdleDays: z.number().int().min(1).max(3650).default(90),
  /** An access-list entry never used and created longer ago than this is stale. */
  neverUsedGraceDays: z.number().int().min(1).max(3650).default(30),
  /** A key idle this long is removed from every project it is assigned to. */
  unassignAfterIdleDays: z.number().int().min(1).max(3650).default(90),
  /** A key idle this long is deleted from the organization. Must be ≥ `unassignAfterIdleDays`. */
  deleteAfterIdleDays: z.number().int().min(1).max(3650).default(180),
  /**
   * What to do with a key that has no access-list entries, whose use therefore cannot be known:
   * `report` lists it, `ignore` says nothing. Unknown is never stale, so there is no option to delete it.
   */
  keysWithoutAccessList: z.enum(['report', 'ignore']).default('report'),
  /**
   * A regex (RE2 syntax) with exactly one capture group that finds an ISO date (`YYYY-MM-DD`) in a key's
   * description, e.g. `expires[:=](\\d{4}-\\d{2}-\\d{2})`. A key past that date is deleted. Absent: descriptions
   * carry no expiry. The rotation tag `atlas-key-worker:retire-after=YYYY-MM-DD` is honoured either way.
   */
  expiryPattern: patternSource(1).optional(),
  protectedKeys: protectedKeysSchema.default({ ids: [], publicKeys: [], descriptionPatterns: [] }),
  /**
   * Access-list entries (IP or CIDR, e.g. the worker's own egress IP) never pruned from any key; an entry that
   * overlaps one of these is protected too.
   */
  protectedEntries: z.array(accessListEntryText).default([]),
  /**
   * Write budget per org and UTC day: a sweep reserves one unit durably before each write (prune, unassign,
   * delete) and skips the write when the budget is spent. Explicit revocations are counted, never refused.
   * @default 50
   */
  maxWritesPerOrgPerDay: writeBudget.optional(),
  /** @deprecated The former name of `maxWritesPerOrgPerDay` (a per-run cap); accepted with a warning. */
  maxDeletionsPerRun: writeBudget.optional(),
  /**
   * Share (0 < share ≤ 1) of each Atlas rate-limit bucket the worker may use: at most this share of the refill
   * rate, and never draining a bucket below (1 − share) × capacity. Revocations are exempt.
   */
  rateLimitShare: z.number().gt(0).lte(1).default(0.5),
  /** Incremental sweeps still read every key's access list in full at least this often (days). */
  fullReadEveryDays: z.number().int().min(1).max(365).default(7),
});

/**
 * The sweep policy. Every duration is in whole days. All defaults are conservative: a policy of `{orgs: [...]}`
 * is a dry run that reports what it would do.
 */
export const policySchema = policyFields
  .superRefine((policy, ctx) => {
    if (policy.deleteAfterIdleDays < policy.unassignAfterIdleDays) {
      ctx.addIssue({
        code: 'custom',
        path: ['deleteAfterIdleDays'],
        message: `must be ≥ unassignAfterIdleDays (${policy.unassignAfterIdleDays}), given ${policy.deleteAfterIdleDays}`,
      });
    }
    if (policy.maxWritesPerOrgPerDay !== undefined && policy.maxDeletionsPerRun !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['maxDeletionsPerRun'],
        message: 'and maxWritesPerOrgPerDay are both given: maxDeletionsPerRun is the deprecated name of maxWritesPerOrgPerDay, keep only maxWritesPerOrgPerDay',
      });
    }
    const seen = new Set<string>();
    policy.orgs.forEach((org, index) => {
      if (seen.has(org.orgId)) {
        ctx.addIssue({ code: 'custom', path: ['orgs', index, 'orgId'], message: `duplicate org ${org.orgId}` });
      }
      seen.add(org.orgId);
    });
  })
  .transform(({ maxDeletionsPerRun, maxWritesPerOrgPerDay, ...rest }) => ({
    ...rest,
    maxWritesPerOrgPerDay: maxWritesPerOrgPerDay ?? maxDeletionsPerRun ?? DEFAULT_WRITES_PER_ORG_PER_DAY,
  }));

export type Policy = z.output<typeof policySchema>;
export type PolicyInput = z.input<typeof policySchema>;
export type ManagedOrg = z.output<typeof managedOrgSchema>;
