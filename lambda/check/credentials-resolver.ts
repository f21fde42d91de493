import type { Flavor } from '../atlas/types.ts';
import type { CredentialSource, ResolvedCredentials } from '../credentials/types.ts';
import type { ManagedOrg } from '../policy/schema.ts';

export interface CredentialsResolverOptions {
  /** The worker's own credentials (ATLAS_SECRET_ID, `--secret-id`, or the environment). */
  readonly defaultSource: CredentialSource;
  /** A source for an org that names its own secret (`orgs[].secretId`). */
  readonly sourceForSecret: (secretId: string) => CredentialSource;
  /** The CLI's `--base-url` / `--flavor`: replace the credentials' own (the base URL as typed, judged later). */
  readonly overrides?: { readonly baseUrl?: string; readonly flavor?: Flavor };
}

/** Per org: its own secret when the policy names one, else the worker's. One source per secret id. */
export function credentialsResolver(options: CredentialsResolverOptions): (org: ManagedOrg) => Promise<ResolvedCredentials> {
  const sources = new Map<string, CredentialSource>();
  return async (org) => {
    const secretId = (org as { secretId?: unknown }).secretId;
    let source = options.defaultSource;
    if (typeof secretId === 'string') {
      source = sources.get(secretId) ?? options.sourceForSecret(secretId);
      sources.set(secretId, source);
    }
    const resolved = await source.get();
    const { baseUrl, flavor } = options.overrides ?? {};
    return { ...resolved, ...(baseUrl === undefined ? {} : { baseUrl }), ...(flavor === undefined ? {} : { flavor }) };
  };
}
