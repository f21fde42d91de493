import { TOKEN_REFRESH_MARGIN_MS } from '../../constants.ts';
import { registerSecret, unregisterSecret } from '../../redact.ts';
import type { ClientEvent } from '../../types.ts';
import { race } from '../../util/abortable.ts';
import type { AuthSession, AuthStrategy } from '../types.ts';
import type { AccessToken } from './fetch-token.ts';

export interface OAuthOptions {
  /** Performs one token request (see `fetchToken`). */
  readonly fetchToken: (signal: AbortSignal | undefined) => Promise<AccessToken>;
  readonly now: () => number;
  readonly onEvent?: (event: ClientEvent) => void;
}

interface CachedToken {
  readonly value: string;
  readonly refreshAt: number;
}

/**
 * Service-account OAuth: the token is cached until shortly before it expires, and only one refresh is ever in
 * flight (concurrent callers await the same promise): the token endpoint allows about 10 requests a minute.
 */
export function createOAuthAuth(options: OAuthOptions): AuthStrategy {
  let cached: CachedToken | undefined;
  let refreshing: Promise<CachedToken> | undefined;

  const refresh = (): Promise<CachedToken> => {
    refreshing ??= (async () => {
      try {
        options.onEvent?.({ type: 'auth', scheme: 'oauth', what: 'token-request' });
        // Not tied to one caller's signal: other callers share this promise.
        const token = await options.fetchToken(undefined);
        registerSecret(token.value);
        if (cached !== undefined) unregisterSecret(cached.value);
        // 60 s early, but never more than half the lifetime (short-lived tokens in tests would never be reused).
        const margin = Math.min(TOKEN_REFRESH_MARGIN_MS, token.lifetimeMs / 2);
        cached = { value: token.value, refreshAt: options.now() + token.lifetimeMs - margin };
        return cached;
      } finally {
        refreshing = undefined;
      }
    })();
    return refreshing;
  };

  const currentToken = async (signal: AbortSignal | undefined): Promise<CachedToken> => {
    if (cached !== undefined && options.now() < cached.refreshAt) return cached;
    return race(refresh(), signal);
  };

  return {
    scheme: 'oauth',
    begin(): AuthSession {
      let used: CachedToken | undefined;
      let retried = false;
      return {
        async authorize(_method, _uri, signal) {
          used = await currentToken(signal);
          return `Bearer ${used.value}`;
        },
        async onUnauthorized() {
          if (retried) {
            options.onEvent?.({ type: 'auth', scheme: 'oauth', what: 'rejected' });
            return false;
          }
          retried = true;
          // Only the first caller to see this token refused drops it; the rest reuse the refresh it starts.
          if (cached !== undefined && cached === used) cached = { value: cached.value, refreshAt: 0 };
          options.onEvent?.({ type: 'auth', scheme: 'oauth', what: 'token-refused' });
          return true;
        },
        settle() {},
      };
    },
  };
}
