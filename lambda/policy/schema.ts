import * as z from 'zod';
import { parseAccessListEntry } from '../validation/access-list-entry.ts';

/** Atlas object ids: 24 lowercase hex digits. */
export const objectIdSchema = z
  .string()
  .regex(/^[a-f0-9]{24}$/, { message: 'must be 24 lowercase hexadecimal digits' });

const regexSource = z.string().refine(
  (source) => {
    try {
      new RegExp(source, 'u');
      return true;
    } catch {
      return false;
    }
  },
  { message: 'must be a valid regular expression' },
);

const accessListEntryText = z.string().superRefine((value, ctx) => {
  try {
    parseAccessListEntry(value);
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: (error as Error).message.replace(/^entry: /, '') });
  }
});

export const managedOrgSchema = z.strictObject({
  /** The organization to sweep. */
  orgId: objectIdSchema,
  /** Overrides the credentials' flavour for this org. */
  flavor: z.enum(['atlas', 'ops-manager']).optional(),
  /** Overrides the credentials' base URL for this org (origin only). */
  baseUrl: z.url({ protocol: /^https?$/ }).optional(),
});

export const protectedKeysSchema = z.strictObject({
  /** API key ids (`apiUserId`) never touched. */
  ids: z.array(objectIdSchema).default([]),
  /** Public keys never touched. */
  publicKeys: z.array(z.string().min(1).max(64)).default([]),
  /** A key whose description matches any of these regexes (JS syntax, `u` flag) is never touched. */
  descriptionPatterns: z.array(regexSource).default([]),
});

/**
 * The sweep policy. Every duration is in whole days. All defaults are conservative: a policy of `{orgs: [...]}`
 * is a dry run that reports what it would do.
 */
export const policySchema = z
  .strictObject({
    orgs: z.array(managedOrgSchema).min(1, { message: 'must list at least one organization' }),
    /** No write request is ever sent while true. */
    dryRun: z.boolean().default(true),
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
     * A regex with one capture group that finds an ISO date (`YYYY-MM-DD`) in a key's description, e.g.
     * `expires[:=](\\d{4}-\\d{2}-\\d{2})`. A key past that date is deleted. Absent: descriptions carry no expiry.
     */
    expiryPattern: regexSource.optional(),
    protectedKeys: protectedKeysSchema.default({ ids: [], publicKeys: [], descriptionPatterns: [] }),
    /**
     * Access-list entries (IP or CIDR, e.g. the worker's own egress IP) never pruned from any key; an entry that
     * overlaps one of these is protected too.
     */
    protectedEntries: z.array(accessListEntryText).default([]),
    /** Per org and per run: a plan with more write actions than this executes none of them. */
    maxDeletionsPerRun: z.number().int().min(0).max(100_000).default(50),
  })
  .superRefine((policy, ctx) => {
    if (policy.deleteAfterIdleDays < policy.unassignAfterIdleDays) {
      ctx.addIssue({
        code: 'custom',
        path: ['deleteAfterIdleDays'],
        message: `must be ≥ unassignAfterIdleDays (${policy.unassignAfterIdleDays}), given ${policy.deleteAfterIdleDays}`,
      });
    }
    const seen = new Set<string>();
    policy.orgs.forEach((org, index) => {
      if (seen.has(org.orgId)) {
        ctx.addIssue({ code: 'custom', path: ['orgs', index, 'orgId'], message: `duplicate org ${org.orgId}` });
      }
      seen.add(org.orgId);
    });
  });

export type Policy = z.output<typeof policySchema>;
export type PolicyInput = z.input<typeof policySchema>;
export type ManagedOrg = z.output<typeof managedOrgSchema>;
