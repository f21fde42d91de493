import type { Flavor, PacingOptions, RetryPolicy, TimeoutPolicy } from './types.ts';

/** Every `/apiKeys`, access-list, org and project operation used here exists only at this version. */
export const ATLAS_API_VERSION = '2023-01-01';

export const PATH_PREFIX: Readonly<Record<Flavor, string>> = {
  atlas: '/api/atlas/v2',
  'ops-manager': '/api/public/v1.0',
};

export const ACCEPT: Readonly<Record<Flavor, string>> = {
  atlas: `application/vnd.atlas.${ATLAS_API_VERSION}+json`,
  'ops-manager': 'application/json',
};

export const OAUTH_TOKEN_PATH = '/api/oauth/token';

export const USER_AGENT = 'atlas-key-worker/0.1.0';

export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 5, baseDelayMs: 500, maxDelayMs: 30_000 };

export const DEFAULT_TIMEOUTS: TimeoutPolicy = { connectMs: 10_000, headersMs: 30_000, bodyMs: 30_000 };

export const DEFAULT_PACING: Required<PacingOptions> = {
  orgCapacity: 500,
  orgRefillPerMinute: 250,
  projectCapacity: 1200,
  projectRefillPerMinute: 500,
  timeScale: 1,
  share: 1,
};

export const DEFAULT_CONNECTIONS = 10;

/** The API's maximum page size: fewer round trips and fewer rate-limit tokens per sweep. */
export const DEFAULT_ITEMS_PER_PAGE = 500;
export const MAX_ITEMS_PER_PAGE = 500;

/** Refresh an OAuth token this long before it expires (capped at half its lifetime for short-lived tokens). */
export const TOKEN_REFRESH_MARGIN_MS = 60_000;
