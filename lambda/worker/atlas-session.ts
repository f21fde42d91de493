import { createHash } from 'node:crypto';
import { createAtlasClient } from '../atlas/index.ts';
import type { AtlasClient, AtlasClientOptions, ClientEvent } from '../atlas/types.ts';
import type { CredentialSource, ResolvedCredentials } from '../credentials/types.ts';
import type { ManagedOrg } from '../policy/schema.ts';
import { statusOf } from './describe-error.ts';

export interface AtlasSessionOptions {
  /** The worker's credentials. */
  readonly source: CredentialSource;
  /** The credentials of an org that names its own secret (`policy.orgs[].secretId`); `undefined`: `source`. */
  readonly sourceFor?: (org: ManagedOrg) => CredentialSource | undefined;
  readonly onEvent?: (event: ClientEvent) => void;
  /** Extra client options (pacing, retry, timeouts). */
  readonly client?: Partial<Omit<AtlasClientOptions, 'baseUrl' | 'flavor' | 'credentials' | 'onEvent'>>;
}

/**
 * Owns the worker's Atlas clients: one per (origin, flavour, credentials), reused across invocations so that
 * connections, Digest nonces and OAuth tokens survive. After a 401 it re-reads the credentials once (the secret
 * may have been rotated) and retries the operation once with a fresh client.
 */
export class AtlasSession {
  private readonly clients = new Map<string, AtlasClient>();

  constructor(private readonly options: AtlasSessionOptions) {}

  async run<T>(org: ManagedOrg | undefined, operation: (client: AtlasClient, resolved: ResolvedCredentials) => Promise<T>): Promise<T> {
    const own = org === undefined ? undefined : this.options.sourceFor?.(org);
    const source = own ?? this.options.source;
    const sourceKey = own === undefined ? 'default' : `org:${org?.secretId ?? org?.orgId}`;
    const resolved = await source.get();
    try {
      return await operation(this.clientFor(resolved, org, sourceKey), resolved);
    } catch (error) {
      if (statusOf(error) !== 401) throw error;
      this.options.onEvent?.({ type: 'auth', scheme: resolved.credentials.kind, what: 'rejected; re-reading credentials once' });
      const fresh = await source.refresh();
      return operation(this.clientFor(fresh, org, sourceKey), fresh);
    }
  }

  async close(): Promise<void> {
    await Promise.all([...this.clients.values()].map((client) => client.close()));
    this.clients.clear();
  }

  private clientFor(resolved: ResolvedCredentials, org: ManagedOrg | undefined, sourceKey: string): AtlasClient {
    const baseUrl = org?.baseUrl ? new URL(org.baseUrl).origin : resolved.baseUrl;
    const flavor = org?.flavor ?? resolved.flavor;
    // The fingerprint tells rotated credentials apart without keeping their text in a map key.
    const fingerprint = createHash('sha256').update(JSON.stringify(resolved.credentials)).digest('hex').slice(0, 16);
    const cacheKey = `${sourceKey}|${baseUrl}|${flavor}|${fingerprint}`;
    let client = this.clients.get(cacheKey);
    if (!client) {
      // Rotated credentials: the clients of the old ones will not be used again; release their connections.
      // Only this source's: other orgs' own credentials stay in use.
      for (const [key, stale] of this.clients) {
        if (key.startsWith(`${sourceKey}|`) && !key.endsWith(`|${fingerprint}`)) {
          this.clients.delete(key);
          void stale.close().catch(() => undefined);
        }
      }
      client = createAtlasClient({
        ...this.options.client,
        baseUrl,
        flavor,
        credentials: resolved.credentials,
        ...(this.options.onEvent === undefined ? {} : { onEvent: this.options.onEvent }),
      });
      this.clients.set(cacheKey, client);
    }
    return client;
  }
}

/** The public key of the worker's own API key (Digest credentials); service accounts have none. */
export function selfPublicKeyOf(resolved: ResolvedCredentials): string | undefined {
  return resolved.credentials.kind === 'digest' ? resolved.credentials.publicKey : undefined;
}
