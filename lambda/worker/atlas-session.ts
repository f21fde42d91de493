import { createHash } from 'node:crypto';
import { createAtlasClient } from '../atlas/index.ts';
import type { AtlasClient, AtlasClientOptions, ClientEvent } from '../atlas/types.ts';
import type { CredentialSource, ResolvedCredentials } from '../credentials/types.ts';
import type { ManagedOrg } from '../policy/schema.ts';
import { statusOf } from './describe-error.ts';

export interface AtlasSessionOptions {
  readonly source: CredentialSource;
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
    const resolved = await this.options.source.get();
    try {
      return await operation(this.clientFor(resolved, org), resolved);
    } catch (error) {
      if (statusOf(error) !== 401) throw error;
      this.options.onEvent?.({ type: 'auth', scheme: resolved.credentials.kind, what: 'rejected; re-reading credentials once' });
      const fresh = await this.options.source.refresh();
      return operation(this.clientFor(fresh, org), fresh);
    }
  }

  async close(): Promise<void> {
    await Promise.all([...this.clients.values()].map((client) => client.close()));
    this.clients.clear();
  }

  private clientFor(resolved: ResolvedCredentials, org: ManagedOrg | undefined): AtlasClient {
    const baseUrl = org?.baseUrl ? new URL(org.baseUrl).origin : resolved.baseUrl;
    const flavor = org?.flavor ?? resolved.flavor;
    // The fingerprint tells rotated credentials apart without keeping their text in a map key.
    const fingerprint = createHash('sha256').update(JSON.stringify(resolved.credentials)).digest('hex').slice(0, 16);
    const cacheKey = `${baseUrl}|${flavor}|${fingerprint}`;
    let client = this.clients.get(cacheKey);
    if (!client) {
      // Rotated credentials: the clients of the old ones will not be used again; release their connections.
      for (const [key, stale] of this.clients) {
        if (!key.endsWith(`|${fingerprint}`)) {
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
