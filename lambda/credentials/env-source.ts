import { InputValidationError } from '../validation/errors.ts';
import { DEFAULT_ATLAS_BASE_URL, type CredentialSource, type ResolvedCredentials } from './types.ts';

/**
 * Credentials from the Atlas CLI's own environment variables, for local runs:
 * `MONGODB_ATLAS_PUBLIC_API_KEY` + `MONGODB_ATLAS_PRIVATE_API_KEY` (Digest) or
 * `MONGODB_ATLAS_CLIENT_ID` + `MONGODB_ATLAS_CLIENT_SECRET` (OAuth); `MONGODB_ATLAS_OPS_MANAGER_URL` selects
 * Ops Manager at that URL, `MONGODB_ATLAS_BASE_URL` another Atlas origin.
 */
export function envSource(env: NodeJS.ProcessEnv, overrides: { baseUrl?: string; flavor?: 'atlas' | 'ops-manager' } = {}): CredentialSource {
  const read = async (): Promise<ResolvedCredentials> => resolveEnv(env, overrides);
  return { get: read, refresh: read };
}

function resolveEnv(env: NodeJS.ProcessEnv, overrides: { baseUrl?: string; flavor?: 'atlas' | 'ops-manager' }): ResolvedCredentials {
  const publicKey = env['MONGODB_ATLAS_PUBLIC_API_KEY'];
  const privateKey = env['MONGODB_ATLAS_PRIVATE_API_KEY'];
  const clientId = env['MONGODB_ATLAS_CLIENT_ID'];
  const clientSecret = env['MONGODB_ATLAS_CLIENT_SECRET'];
  const opsManagerUrl = env['MONGODB_ATLAS_OPS_MANAGER_URL'];
  const flavor = overrides.flavor ?? (opsManagerUrl ? 'ops-manager' : 'atlas');
  const urlText = overrides.baseUrl ?? opsManagerUrl ?? env['MONGODB_ATLAS_BASE_URL'] ?? DEFAULT_ATLAS_BASE_URL;
  let baseUrl: string;
  try {
    baseUrl = new URL(urlText).origin;
  } catch {
    const field = overrides.baseUrl ? '--base-url' : opsManagerUrl ? 'MONGODB_ATLAS_OPS_MANAGER_URL' : 'MONGODB_ATLAS_BASE_URL';
    throw new InputValidationError(field, `must be a URL, given ${JSON.stringify(urlText.slice(0, 100))}`);
  }
  if (publicKey && privateKey) {
    return { credentials: { kind: 'digest', publicKey, privateKey }, baseUrl, flavor, source: 'env' };
  }
  if (clientId && clientSecret) {
    return { credentials: { kind: 'oauth', clientId, clientSecret }, baseUrl, flavor, source: 'env' };
  }
  throw new InputValidationError(
    'ATLAS_SECRET_ID',
    'is not set, and neither MONGODB_ATLAS_PUBLIC_API_KEY + MONGODB_ATLAS_PRIVATE_API_KEY nor MONGODB_ATLAS_CLIENT_ID + MONGODB_ATLAS_CLIENT_SECRET are',
  );
}
