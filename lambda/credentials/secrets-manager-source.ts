import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import { resolveSecret } from './resolve-secret.ts';
import type { CredentialSource, ResolvedCredentials } from './types.ts';

export interface SecretsManagerSourceOptions {
  readonly secretId: string;
  /** Cache the secret this long across invocations. */
  readonly maxAgeSeconds: number;
  /** Injected in tests; by default the SDK's own client (honours `AWS_ENDPOINT_URL_SECRETS_MANAGER`). */
  readonly awsSdkV3Client?: SecretsManagerClient;
}

/** Credentials from one Secrets Manager secret, cached by Powertools Parameters for `maxAgeSeconds`. */
export function secretsManagerSource(options: SecretsManagerSourceOptions): CredentialSource {
  const provider = new SecretsProvider(
    options.awsSdkV3Client === undefined ? {} : { awsSdkV3Client: options.awsSdkV3Client },
  );
  const source = `secret:${options.secretId}`;
  const read = async (forceFetch: boolean): Promise<ResolvedCredentials> => {
    const value = await provider.get(options.secretId, { maxAge: options.maxAgeSeconds, forceFetch });
    if (value === undefined) throw new Error(`${source}: secret has no string value`);
    return resolveSecret(value, source);
  };
  return { get: () => read(false), refresh: () => read(true) };
}
