import { apiError, unauthorizedError } from './api-error.ts';
import type { DigestAuthenticator } from './digest-authenticator.ts';
import { type IpRange, parseIpRange, rangeContains, tryParseIpRange } from './ip-range.ts';
import type { OAuthTokens } from './oauth-tokens.ts';
import type { Caller, Flavor, SimResponse } from './server-types.ts';
import type { StateIndex } from './state-index.ts';
import type { SimAccessListEntry } from './types.ts';
import { isoSeconds } from './views.ts';

export interface AuthDeps {
  readonly index: StateIndex;
  readonly digest: DigestAuthenticator;
  readonly tokens: OAuthTokens;
  readonly clientAddress: string;
  readonly now: () => Date;
}

export interface AuthRequest {
  readonly method: string;
  /** The request target, as the Digest `uri` must repeat it. */
  readonly target: string;
  readonly authorization: string | undefined;
  readonly flavor: Flavor;
}

export type AuthResult = { ok: true; caller: Caller } | { ok: false; response: SimResponse };

/**
 * Identifies the caller: Digest (API key) on both flavours, Bearer (service account) on Atlas only. An API
 * key with an access list must call from an address on it; that entry's usage is then recorded.
 */
export function authenticate(deps: AuthDeps, request: AuthRequest): AuthResult {
  const header = request.authorization ?? '';
  const scheme = header.split(' ', 1)[0]?.toLowerCase() ?? '';
  if (scheme === 'digest') {
    const result = deps.digest.verify(header, request.method, request.target, (user) => deps.index.keyByPublicKey(user)?.privateKey);
    if (!result.ok) return unauthorized(deps, request, result.detail, result.stale);
    const key = deps.index.keyByPublicKey(result.username);
    if (key === undefined) return unauthorized(deps, request, 'You are not authorized for this resource.', false);
    const denied = checkAccessList(deps, key.accessList);
    if (denied !== undefined) return { ok: false, response: denied };
    return { ok: true, caller: { kind: 'apiKey', id: key.id, key } };
  }
  if (scheme === 'bearer' && request.flavor === 'atlas') {
    const token = header.slice(header.indexOf(' ') + 1).trim();
    const found = deps.tokens.lookup(token);
    if (found === 'expired') return unauthorized(deps, request, 'The access token has expired.', false);
    const account = found === undefined ? undefined : deps.index.serviceAccount(found.clientId);
    if (account === undefined) return unauthorized(deps, request, 'Invalid access token.', false);
    return { ok: true, caller: { kind: 'serviceAccount', id: account.clientId, account } };
  }
  const why = scheme === '' ? 'This resource requires authentication.' : `Unsupported authorization scheme: ${scheme}.`;
  return unauthorized(deps, request, why, false);
}

/**
 * 401 with a Digest challenge, so a Digest client can (re)try. Atlas answers it the way live Atlas was recorded
 * to (`UNEXPECTED_ERROR`, pretty-printed); Ops Manager keeps its documented `USER_UNAUTHORIZED`.
 */
function unauthorized(deps: AuthDeps, request: AuthRequest, detail: string, stale: boolean): AuthResult {
  const headers = { 'WWW-Authenticate': deps.digest.challenge(stale) };
  const response = request.flavor === 'atlas' ? unauthorizedError(detail, headers) : apiError(401, 'USER_UNAUTHORIZED', detail, headers);
  return { ok: false, response };
}

function checkAccessList(deps: AuthDeps, entries: SimAccessListEntry[]): SimResponse | undefined {
  if (entries.length === 0) return undefined;
  const entry = entryForAddress(entries, deps.clientAddress);
  if (entry === undefined) {
    return apiError(403, 'IP_ADDRESS_NOT_ON_ACCESS_LIST', `IP address ${deps.clientAddress} is not allowed to access this resource.`);
  }
  entry.lastUsed = isoSeconds(deps.now());
  entry.lastUsedAddress = deps.clientAddress;
  entry.count += 1;
  return undefined;
}

/** The entry that admits `address`: an exact match first, else the narrowest block containing it. */
export function entryForAddress(entries: readonly SimAccessListEntry[], address: string): SimAccessListEntry | undefined {
  let client: IpRange;
  try {
    client = parseIpRange(address);
  } catch {
    return undefined;
  }
  let best: { entry: SimAccessListEntry; prefix: number } | undefined;
  for (const entry of entries) {
    const range = tryParseIpRange(entry.cidrBlock);
    if (range === undefined || !rangeContains(range, client)) continue;
    if (best === undefined || range.prefix > best.prefix) best = { entry, prefix: range.prefix };
  }
  return best?.entry;
}
