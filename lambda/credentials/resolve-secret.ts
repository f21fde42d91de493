import { parseAtlasSecret } from './secret-shape.ts';
import { DEFAULT_ATLAS_BASE_URL, type ResolvedCredentials } from './types.ts';

/**
 * Turns the secret's JSON (ours, or MongoDB's profile shape) into client credentials. Errors name the field,
 * never a value.
 */
export function resolveSecret(value: unknown, source: string): ResolvedCredentials {
  const secret = parseAtlasSecret(value, source);
  const baseUrl = new URL(secret.baseUrl ?? DEFAULT_ATLAS_BASE_URL).origin;
  const flavor = secret.flavor ?? 'atlas';
  const credentials =
    secret.kind === 'apiKey'
      ? ({ kind: 'digest', publicKey: secret.publicKey, privateKey: secret.privateKey } as const)
      : ({ kind: 'oauth', clientId: secret.clientId, clientSecret: secret.clientSecret } as const);
  return { credentials, baseUrl, flavor, source };
}
