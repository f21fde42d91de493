import * as z from 'zod';

const LOOPBACK_HOSTS: ReadonlySet<string> = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** An origin over https; plain http only for a loopback host (local simulators and tests). */
const baseUrl = z.url({ protocol: /^https?$/ }).refine(
  (text) => {
    const url = new URL(text);
    return url.protocol === 'https:' || LOOPBACK_HOSTS.has(url.hostname);
  },
  { message: 'must be an https URL (plain http only for a loopback host)' },
);

const flavor = z.enum(['atlas', 'ops-manager']);
const objectId = z.string().regex(/^[a-f0-9]{24}$/, { message: 'must be 24 lowercase hexadecimal digits' });

/**
 * The secret shapes a Secrets Manager secret may hold. Other fields are allowed and kept (a rotation writes the
 * secret back with them). Zod's messages name fields and types, never values, so a parse error cannot leak a
 * secret.
 */

/** Ours, API key (HTTP Digest): `{publicKey, privateKey, apiUserId?, baseUrl?, flavor?}`. */
export const ourApiKeySecretSchema = z.looseObject({
  publicKey: z.string().min(1).max(64),
  privateKey: z.string().min(1).max(256),
  /** The key's id; lets a rotation read the key directly instead of searching the org's listing. */
  apiUserId: objectId.optional(),
  baseUrl: baseUrl.optional(),
  flavor: flavor.optional(),
});

/** Ours, service account (OAuth): `{clientId, clientSecret, baseUrl?, flavor?}`. */
export const ourServiceAccountSecretSchema = z.looseObject({
  clientId: z.string().min(1).max(128),
  clientSecret: z.string().min(1).max(512),
  baseUrl: baseUrl.optional(),
  flavor: flavor.optional(),
});

/** MongoDB's CDK/CloudFormation profile (`cfn/atlas/profile/{Profile}`): `{PublicKey, PrivateKey, BaseUrl?}`. */
export const profileSecretSchema = z.looseObject({
  PublicKey: z.string().min(1).max(64),
  PrivateKey: z.string().min(1).max(256),
  BaseUrl: baseUrl.optional(),
});
