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
