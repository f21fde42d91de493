import type * as z from 'zod';
import type { Flavor } from '../atlas/types.ts';
import { InputValidationError } from '../validation/errors.ts';
import { ourApiKeySecretSchema, ourServiceAccountSecretSchema, profileSecretSchema } from './secret-schema.ts';

/** `ours`: `{publicKey, privateKey}` / `{clientId, clientSecret}`; `profile`: MongoDB's `{PublicKey, PrivateKey, BaseUrl?}`. */
export type SecretShape = 'ours' | 'profile';

interface SecretBase {
  readonly shape: SecretShape;
  readonly baseUrl?: string;
  readonly flavor?: Flavor;
  /** Every field of the secret as stored, credentials included, in stored order (to write it back as it was). */
  readonly fields: Readonly<Record<string, unknown>>;
}

/** A parsed Atlas credential secret, in whichever shape it was stored. */
export type AtlasSecretValue =
  | (SecretBase & { readonly kind: 'apiKey'; readonly publicKey: string; readonly privateKey: string; readonly apiUserId?: string })
  | (SecretBase & { readonly kind: 'serviceAccount'; readonly shape: 'ours'; readonly clientId: string; readonly clientSecret: string });

const SHAPES_HELP = 'expected {publicKey, privateKey} or {clientId, clientSecret} (optional baseUrl, flavor), or MongoDB\'s profile {PublicKey, PrivateKey, BaseUrl?}';

/**
 * Parses a secret's JSON (text or already parsed) into one of the accepted shapes. Throws
 * `InputValidationError` naming `source` and the offending field, never a value.
 */
export function parseAtlasSecret(value: unknown, source: string): AtlasSecretValue {
  let parsed = value;
  if (typeof value === 'string') {
    try {
      parsed = JSON.parse(value);
    } catch {
      throw new InputValidationError(source, `secret is not JSON (${SHAPES_HELP})`);
    }
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new InputValidationError(source, `secret must be a JSON object (${SHAPES_HELP})`);
  }
  const fields = parsed as Record<string, unknown>;
  const has = (name: string) => Object.hasOwn(fields, name);
  const kinds = [
    has('publicKey') || has('privateKey') ? 'ours-key' : undefined,
    has('clientId') || has('clientSecret') ? 'ours-account' : undefined,
    has('PublicKey') || has('PrivateKey') ? 'profile' : undefined,
  ].filter((kind) => kind !== undefined);
  if (kinds.length === 0) throw new InputValidationError(source, `secret holds no Atlas credential (${SHAPES_HELP})`);
  if (kinds.length > 1) {
    throw new InputValidationError(source, `secret mixes credential shapes (${kinds.join(' and ')}); keep exactly one (${SHAPES_HELP})`);
  }
  switch (kinds[0]) {
    case 'ours-key': {
      const secret = check(ourApiKeySecretSchema, fields, source, '{publicKey, privateKey, apiUserId?, baseUrl?, flavor?}');
      return {
        kind: 'apiKey',
        shape: 'ours',
        publicKey: secret.publicKey,
        privateKey: secret.privateKey,
        ...(secret.apiUserId === undefined ? {} : { apiUserId: secret.apiUserId }),
        ...(secret.baseUrl === undefined ? {} : { baseUrl: secret.baseUrl }),
        ...(secret.flavor === undefined ? {} : { flavor: secret.flavor }),
        fields,
      };
    }
    case 'ours-account': {
      const secret = check(ourServiceAccountSecretSchema, fields, source, '{clientId, clientSecret, baseUrl?, flavor?}');
      return {
        kind: 'serviceAccount',
        shape: 'ours',
        clientId: secret.clientId,
        clientSecret: secret.clientSecret,
        ...(secret.baseUrl === undefined ? {} : { baseUrl: secret.baseUrl }),
        ...(secret.flavor === undefined ? {} : { flavor: secret.flavor }),
        fields,
      };
    }
    default: {
      const secret = check(profileSecretSchema, fields, source, "MongoDB's profile {PublicKey, PrivateKey, BaseUrl?}");
      return {
        kind: 'apiKey',
        shape: 'profile',
        publicKey: secret.PublicKey,
        privateKey: secret.PrivateKey,
        ...(secret.BaseUrl === undefined ? {} : { baseUrl: secret.BaseUrl }),
        fields,
      };
    }
  }
}

function check<T extends z.ZodType>(schema: T, fields: Record<string, unknown>, source: string, shape: string): z.output<T> {
  const result = schema.safeParse(fields);
  if (result.success) return result.data;
  const problems = result.error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.map(String).join('.') || '(root)'} ${issue.message}`)
    .join('; ');
  throw new InputValidationError(source, `secret in shape ${shape}: ${problems}`);
}
