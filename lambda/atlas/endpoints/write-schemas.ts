import * as z from 'zod';
import { accessListEntrySchema, apiKeySchema, pagedSchema } from '../schemas.ts';

/** Answer shapes of the write endpoints, loose like the others: unknown fields are kept. */

/** A created key: the usual key, and its private key (in clear, this once). */
export const createdApiKeySchema = z.intersection(apiKeySchema, z.looseObject({ privateKey: z.string().min(1) }));

export const accessListPageSchema = pagedSchema(accessListEntrySchema);

export const serviceAccountSecretSchema = z.looseObject({
  id: z.string(),
  createdAt: z.string(),
  expiresAt: z.string(),
  lastUsedAt: z.string().optional(),
  maskedSecretValue: z.string().optional(),
});

export const createdServiceAccountSecretSchema = serviceAccountSecretSchema.extend({ secret: z.string().min(1) });

export const serviceAccountSchema = z.looseObject({
  clientId: z.string(),
  name: z.string().optional(),
  roles: z.array(z.string()).default([]),
  secrets: z.array(serviceAccountSecretSchema).default([]),
});
