import { InputValidationError } from '../../validation/errors.ts';
import { DEFAULT_CONNECTIONS, DEFAULT_PACING, DEFAULT_RETRY, DEFAULT_TIMEOUTS } from '../constants.ts';
import type { AtlasClientOptions, PacingOptions, RetryPolicy, TimeoutPolicy } from '../types.ts';

export interface ResolvedClientOptions {
  readonly origin: string;
  readonly tokenUrl: string;
  readonly retry: RetryPolicy;
  readonly timeouts: TimeoutPolicy;
  readonly pacing: Required<PacingOptions> | undefined;
  readonly connections: number;
}

/** Checks the options once, at construction, naming the bad option and value. Never echoes credentials. */
export function validateClientOptions(options: AtlasClientOptions): ResolvedClientOptions {
  const origin = parseOrigin(options.baseUrl, 'baseUrl', true);
  const tokenUrl = options.tokenUrl === undefined ? `${origin}/api/oauth/token` : parseUrl(options.tokenUrl, 'tokenUrl');
  if (options.flavor !== 'atlas' && options.flavor !== 'ops-manager') {
    throw new InputValidationError('flavor', `must be "atlas" or "ops-manager", given ${JSON.stringify(options.flavor)}`);
  }
  const credentials = options.credentials;
  if (credentials?.kind === 'digest') {
    if (!credentials.publicKey || !credentials.privateKey) {
      throw new InputValidationError('credentials', 'digest credentials need a publicKey and a privateKey');
    }
  } else if (credentials?.kind === 'oauth') {
    if (!credentials.clientId || !credentials.clientSecret) {
      throw new InputValidationError('credentials', 'oauth credentials need a clientId and a clientSecret');
    }
  } else {
    throw new InputValidationError('credentials.kind', 'must be "digest" or "oauth"');
  }

  const retry = { ...DEFAULT_RETRY, ...options.retry };
  integerAtLeast(retry.maxAttempts, 1, 'retry.maxAttempts');
  integerAtLeast(retry.baseDelayMs, 0, 'retry.baseDelayMs');
  integerAtLeast(retry.maxDelayMs, 0, 'retry.maxDelayMs');
  const timeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
  integerAtLeast(timeouts.connectMs, 1, 'timeouts.connectMs');
  integerAtLeast(timeouts.headersMs, 1, 'timeouts.headersMs');
  integerAtLeast(timeouts.bodyMs, 1, 'timeouts.bodyMs');
  const connections = options.connections ?? DEFAULT_CONNECTIONS;
  integerAtLeast(connections, 1, 'connections');

  let pacing: Required<PacingOptions> | undefined;
  if (options.pacing !== false) {
    pacing = { ...DEFAULT_PACING, ...(options.pacing === true || options.pacing === undefined ? {} : options.pacing) };
    integerAtLeast(pacing.orgCapacity, 1, 'pacing.orgCapacity');
    integerAtLeast(pacing.projectCapacity, 1, 'pacing.projectCapacity');
    positive(pacing.orgRefillPerMinute, 'pacing.orgRefillPerMinute');
    positive(pacing.projectRefillPerMinute, 'pacing.projectRefillPerMinute');
    positive(pacing.timeScale, 'pacing.timeScale');
    if (!(Number.isFinite(pacing.share) && pacing.share > 0 && pacing.share <= 1)) {
      throw new InputValidationError('pacing.share', `must be > 0 and ≤ 1, given ${String(pacing.share)}`);
    }
  }
  return { origin, tokenUrl, retry, timeouts, pacing, connections };
}

function parseUrl(value: string, field: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InputValidationError(field, `must be an absolute http(s) URL, given ${JSON.stringify(value)}`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new InputValidationError(field, `must use http or https, given ${JSON.stringify(value)}`);
  }
  if (url.username !== '' || url.password !== '') {
    // Do not echo it: the URL carries credentials.
    throw new InputValidationError(field, 'must not carry credentials');
  }
  return url.href;
}

function parseOrigin(value: string, field: string, originOnly: boolean): string {
  const url = new URL(parseUrl(value, field));
  if (originOnly && ((url.pathname !== '/' && url.pathname !== '') || url.search !== '' || url.hash !== '')) {
    throw new InputValidationError(field, `must be an origin only (scheme, host, port), given ${JSON.stringify(value)}`);
  }
  return url.origin;
}

function integerAtLeast(value: number, minimum: number, field: string): void {
  if (!Number.isSafeInteger(value) || value < minimum) {
    throw new InputValidationError(field, `must be an integer ≥ ${minimum}, given ${String(value)}`);
  }
}

function positive(value: number, field: string): void {
  if (!(Number.isFinite(value) && value > 0)) throw new InputValidationError(field, `must be > 0, given ${String(value)}`);
}
