import { InputValidationError } from '../validation/errors.ts';
import { atlasSecretSchema } from './secret-schema.ts';
import { DEFAULT_ATLAS_BASE_URL, type ResolvedCredentials } from './types.ts';

/** Turns the secret's JSON into client credentials. Errors name the field, never a value. */
export function resolveSecret(value: unknown, source: string): ResolvedCredentials {
  let parsed = value;
  if (typeof value === 'string') {
    try {
      parsed = JSON.parse(value);
    } catch {
      throw new InputValidationError(source, 'secret is not JSON (expected {publicKey, privateKey} or {clientId, clientSecret})');
    }
  }
  const result = atlasSecretSchema.safeParse(parsed);
  if (!result.success) {
    throw new InputValidationError(
      source,
      'secret must be JSON {publicKey, privateKey} or {clientId, clientSecret}, with optional baseUrl and flavor',
    );
  }
  const secret = result.data;
  const baseUrl = new URL(secret.baseUrl ?? DEFAULT_ATLAS_BASE_URL).origin;
  const flavor = secret.flavor ?? 'atlas';
  const credentials =
    'publicKey' in secret
      ? ({ kind: 'digest', publicKey: secret.publicKey, privateKey: secret.privateKey } as const)
      : ({ kind: 'oauth', clientId: secret.clientId, clientSecret: secret.clientSecret } as const);
  return { credentials, baseUrl, flavor, source };
}
