import * as z from 'zod';

const common = {
  /** Origin of the Atlas / Ops Manager API. @default https://cloud.mongodb.com */
  baseUrl: z.url({ protocol: /^https?$/ }).optional(),
  flavor: z.enum(['atlas', 'ops-manager']).optional(),
};

/**
 * The JSON stored in the Secrets Manager secret: an API key (Digest) or a service account (OAuth).
 * Zod's messages name fields and types, never values, so a parse error cannot leak a secret.
 */
export const atlasSecretSchema = z.union([
  z.strictObject({ publicKey: z.string().min(1).max(64), privateKey: z.string().min(1).max(256), ...common }),
  z.strictObject({ clientId: z.string().min(1).max(128), clientSecret: z.string().min(1).max(512), ...common }),
]);

export type AtlasSecret = z.output<typeof atlasSecretSchema>;
