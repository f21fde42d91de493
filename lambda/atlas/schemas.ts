import * as z from 'zod';

/**
 * Response shapes, loose: unknown fields are kept (Atlas adds fields without a new version), only what the
 * worker relies on is required.
 */
export const roleSchema = z.looseObject({
  orgId: z.string().optional(),
  groupId: z.string().optional(),
  roleName: z.string(),
});

export const apiKeySchema = z.looseObject({
  id: z.string(),
  publicKey: z.string(),
  desc: z.string().optional(),
  roles: z.array(roleSchema).default([]),
});

/**
 * A key as read back (listings, `getOrgKey`): `"desc": null` (Atlas holds keys without a description) is a key
 * without one, so the field is dropped before `apiKeySchema` checks the rest. One such key must not fail a
 * whole listing.
 */
export const apiKeyReadSchema = z.preprocess(withoutNullDesc, apiKeySchema);

function withoutNullDesc(value: unknown): unknown {
  if (typeof value !== 'object' || value === null || (value as { desc?: unknown }).desc !== null) return value;
  const { desc: _desc, ...key } = value as Record<string, unknown>;
  return key;
}

export const accessListEntrySchema = z.looseObject({
  cidrBlock: z.string().optional(),
  ipAddress: z.string().optional(),
  created: z.string().optional(),
  lastUsed: z.string().optional(),
  lastUsedAddress: z.string().optional(),
  count: z.number().optional(),
});

export const organizationSchema = z.looseObject({
  id: z.string(),
  name: z.string(),
});

export const projectSchema = z.looseObject({
  id: z.string(),
  name: z.string(),
  orgId: z.string(),
});

export const linkSchema = z.looseObject({
  rel: z.string().optional(),
  href: z.string().optional(),
});

export function pagedSchema<T extends z.ZodType>(item: T) {
  return z.looseObject({
    results: z.array(item),
    totalCount: z.number().optional(),
    links: z.array(linkSchema).optional(),
  });
}
