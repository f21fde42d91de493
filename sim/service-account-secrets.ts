import { randomBytes } from 'node:crypto';
import type { SimServiceAccount, SimServiceAccountSecret } from './types.ts';
import { isoSeconds } from './views.ts';

/** Atlas keeps at most two secrets per service account; expired ones count until deleted. */
export const MAX_SECRETS_PER_ACCOUNT = 2;

/**
 * The code the simulator answers the two-secret limit with (status 400, the only client error the spec declares
 * for `createServiceAccountSecret` besides auth and not-found). MongoDB does not publish this code; clients must
 * not depend on it and should count the account's secrets first (the worker does).
 */
export const SECRET_LIMIT_ERROR_CODE = 'SERVICE_ACCOUNT_SECRET_LIMIT_EXCEEDED';

/** Creating a secret cuts every other secret's remaining life to at most this (Atlas's documented overlap). */
export const OVERLAP_MS = 7 * 86_400_000;

/** A secret that never expires, for accounts created before the simulator modelled expiry. */
const FAR_FUTURE = '2999-12-31T00:00:00Z';

/**
 * The account's secrets, turning the legacy single `clientSecret` into the first entry of `secrets` on first use
 * (so that later changes have one list to work on).
 */
export function accountSecrets(account: SimServiceAccount): SimServiceAccountSecret[] {
  if (account.secrets === undefined) {
    account.secrets = [{ id: secretIdFor(account.clientId), secret: account.clientSecret, createdAt: '2024-01-01T00:00:00Z', expiresAt: FAR_FUTURE }];
  }
  return account.secrets;
}

/** The live secret matching `secret`, or `undefined` (unknown or expired). */
export function matchSecret(account: SimServiceAccount, secret: string, nowMs: number): SimServiceAccountSecret | undefined {
  if (account.secrets === undefined) {
    return account.clientSecret === secret ? { id: secretIdFor(account.clientId), secret, createdAt: '', expiresAt: FAR_FUTURE } : undefined;
  }
  return account.secrets.find((candidate) => candidate.secret === secret && Date.parse(candidate.expiresAt) > nowMs);
}

/** Adds a secret expiring after `hours`, shortening the others to the overlap window. The caller checks the limit. */
export function addSecret(account: SimServiceAccount, hours: number, now: Date): SimServiceAccountSecret {
  const secrets = accountSecrets(account);
  const nowMs = now.getTime();
  for (const existing of secrets) {
    if (Date.parse(existing.expiresAt) > nowMs + OVERLAP_MS) existing.expiresAt = isoSeconds(new Date(nowMs + OVERLAP_MS));
  }
  const created: SimServiceAccountSecret = {
    id: newObjectId(nowMs),
    secret: `mdb_sa_sk_${randomBytes(20).toString('hex')}`,
    createdAt: isoSeconds(now),
    expiresAt: isoSeconds(new Date(nowMs + hours * 3_600_000)),
  };
  secrets.push(created);
  return created;
}

/** `ServiceAccountSecret` as listings show it: masked, never the value. */
export function renderSecret(secret: SimServiceAccountSecret): Record<string, unknown> {
  return {
    id: secret.id,
    createdAt: secret.createdAt,
    expiresAt: secret.expiresAt,
    ...(secret.lastUsedAt === undefined ? {} : { lastUsedAt: secret.lastUsedAt }),
    maskedSecretValue: `mdb_sa_sk_...${secret.secret.slice(-4)}`,
  };
}

/** An ObjectId-like id: creation seconds, then random bytes. */
export function newObjectId(nowMs: number): string {
  return Math.floor(nowMs / 1000).toString(16).padStart(8, '0').slice(-8) + randomBytes(8).toString('hex');
}

/** A stable id for the legacy secret, derived from the client id's hex part. */
function secretIdFor(clientId: string): string {
  const hex = clientId.replace(/^mdb_sa_id_/, '').toLowerCase();
  return /^[a-f0-9]{24}$/.test(hex) ? hex : '000000000000000000000000';
}
