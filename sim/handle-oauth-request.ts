import type { OAuthTokens } from './oauth-tokens.ts';
import { matchSecret } from './service-account-secrets.ts';
import type { SimResponse } from './server-types.ts';
import type { StateIndex } from './state-index.ts';
import { TokenBucket } from './token-bucket.ts';
import { isoSeconds } from './views.ts';

export interface OAuthDeps {
  readonly index: StateIndex;
  readonly tokens: OAuthTokens;
  /** Refill speed-up of the token endpoint's limit (the rate-limit timeScale). */
  readonly timeScale: number;
  /** Per-client buckets of the token endpoint (about 10 requests a minute). */
  readonly buckets: Map<string, TokenBucket>;
  /** The simulator's clock: a service account's secrets expire by it. @default the real clock */
  readonly now?: () => Date;
}

const TOKEN_REQUESTS_PER_MINUTE = 10;

/** `POST /api/oauth/token` (client credentials) and `POST /api/oauth/revoke`, with OAuth-shaped errors. */
export function handleOAuthRequest(
  deps: OAuthDeps,
  method: string,
  path: string,
  authorization: string | undefined,
  body: string,
): SimResponse {
  if (method !== 'POST') return oauthError(405, 'invalid_request', 'Use POST.', { Allow: 'POST' });
  const client = readBasic(authorization);
  if (path === '/api/oauth/token') {
    const limited = takeToken(deps, client?.clientId ?? '');
    if (limited !== undefined) return limited;
  }
  const account = client === undefined ? undefined : deps.index.serviceAccount(client.clientId);
  // Any of the account's live secrets will do (two overlap while a rotation hands over).
  const now = deps.now?.() ?? new Date();
  const secret = client === undefined || account === undefined ? undefined : matchSecret(account, client.clientSecret, now.getTime());
  if (client === undefined || account === undefined || secret === undefined) {
    return oauthError(401, 'invalid_client', 'Invalid client credentials.', { 'WWW-Authenticate': 'Basic realm="oauth"' });
  }
  if (account.secrets !== undefined && path === '/api/oauth/token') secret.lastUsedAt = isoSeconds(now);
  const form = new URLSearchParams(body);
  if (path === '/api/oauth/revoke') {
    const token = form.get('token');
    if (token === null) return oauthError(400, 'invalid_request', 'The token parameter is required.');
    deps.tokens.revoke(token, account.clientId);
    return { status: 200, noEnvelope: true };
  }
  if (form.get('grant_type') !== 'client_credentials') {
    return oauthError(400, 'unsupported_grant_type', 'Only grant_type=client_credentials is supported.');
  }
  const accessToken = deps.tokens.issue(account.clientId);
  return {
    status: 200,
    headers: { 'Cache-Control': 'no-store' },
    body: { access_token: accessToken, expires_in: deps.tokens.ttlSeconds, token_type: 'Bearer' },
    noEnvelope: true,
  };
}

/** `Basic base64(id:secret)`; the id and secret are not URL-encoded. */
function readBasic(header: string | undefined): { clientId: string; clientSecret: string } | undefined {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '');
  if (match === null) return undefined;
  const decoded = Buffer.from(match[1] ?? '', 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { clientId: decoded.slice(0, colon), clientSecret: decoded.slice(colon + 1) };
}

function takeToken(deps: OAuthDeps, clientId: string): SimResponse | undefined {
  const now = performance.now();
  let bucket = deps.buckets.get(clientId);
  if (bucket === undefined) {
    bucket = new TokenBucket(TOKEN_REQUESTS_PER_MINUTE, (TOKEN_REQUESTS_PER_MINUTE * deps.timeScale) / 60_000, now);
    deps.buckets.set(clientId, bucket);
  }
  if (bucket.take(now)) return undefined;
  const seconds = Math.max(1, Math.ceil(bucket.msUntilToken(now) / 1000));
  return oauthError(429, 'rate_limited', `Too many token requests; retry after ${seconds} seconds.`, {
    'Retry-After': String(seconds),
  });
}

function oauthError(status: number, error: string, description: string, headers?: Record<string, string>): SimResponse {
  const body = { error, error_description: description };
  return headers === undefined
    ? { status, body, isError: true, noEnvelope: true }
    : { status, body, isError: true, noEnvelope: true, headers };
}
