/** One secret of a service account, as `getServiceAccount` lists it. */
export interface ServiceAccountSecretInfo {
  readonly id: string;
  /** ISO-8601 */
  readonly createdAt: string;
  /** ISO-8601 */
  readonly expiresAt: string;
  readonly lastUsedAt?: string;
}

export interface ServiceAccountRetirementInput {
  readonly orgId: string;
  readonly clientId: string;
  readonly secrets: readonly ServiceAccountSecretInfo[];
  /** Days a rotated-out secret stays after its successor was created (the secret's `graceDays`). */
  readonly graceDays: number;
  readonly now: Date;
  /** Secret ids never to delete (e.g. one the operator knows is in use). */
  readonly keep?: readonly string[];
}

/** A sweep action: delete one rotated-out secret. */
export interface ServiceAccountSecretDeletion {
  readonly kind: 'deleteServiceAccountSecret';
  readonly orgId: string;
  readonly clientId: string;
  readonly secretId: string;
  /** One line. */
  readonly reason: string;
  readonly evidence: {
    readonly createdAt: string;
    readonly expiresAt: string;
    /** When the next newer secret was created: the moment this one was rotated out. */
    readonly supersededAt: string;
    /** `YYYY-MM-DD`: the secret is deleted once this UTC day has passed. */
    readonly retireAfter: string;
  };
}

export interface ServiceAccountRetirementPlan {
  readonly deletions: readonly ServiceAccountSecretDeletion[];
  /** Secrets left alone, each with why. */
  readonly kept: ReadonlyArray<{ readonly secretId: string; readonly why: string }>;
}

const DAY_MS = 86_400_000;

/**
 * The sweep's rule for rotated-out service-account secrets (pure). The newest secret (latest `createdAt`) is never
 * deleted. Any other secret was rotated out when the next newer one was created; it is deleted once the UTC day
 * `graceDays` after that has passed (strictly after it), or once it has expired (it authenticates nobody then,
 * yet still takes one of the account's two slots). A secret with an unreadable `createdAt` is kept (unknown is
 * never stale), as is every secret in `keep`.
 */
export function planServiceAccountSecretRetirement(input: ServiceAccountRetirementInput): ServiceAccountRetirementPlan {
  const nowMs = input.now.getTime();
  if (Number.isNaN(nowMs)) throw new TypeError('planServiceAccountSecretRetirement: now must be a valid Date');
  if (!Number.isInteger(input.graceDays) || input.graceDays < 0) {
    throw new RangeError(`graceDays must be a whole number ≥ 0 (given ${input.graceDays})`);
  }
  const today = input.now.toISOString().slice(0, 10);
  const keep = new Set(input.keep ?? []);
  const kept: Array<{ secretId: string; why: string }> = [];
  const dated: Array<{ secret: ServiceAccountSecretInfo; createdMs: number }> = [];
  for (const secret of input.secrets) {
    const createdMs = Date.parse(secret.createdAt);
    if (Number.isNaN(createdMs)) kept.push({ secretId: secret.id, why: `createdAt ${JSON.stringify(secret.createdAt)} is not a timestamp` });
    else dated.push({ secret, createdMs });
  }
  // Oldest first; equal times by id, so the plan does not depend on the listing's order.
  dated.sort((a, b) => a.createdMs - b.createdMs || a.secret.id.localeCompare(b.secret.id));
  const newest = dated.at(-1);
  if (newest !== undefined) kept.push({ secretId: newest.secret.id, why: 'the newest secret is never deleted' });

  const deletions: ServiceAccountSecretDeletion[] = [];
  for (const [at, { secret }] of dated.slice(0, -1).entries()) {
    const next = dated[at + 1] as (typeof dated)[number];
    const supersededAt = new Date(next.createdMs).toISOString();
    const retireAfter = new Date(next.createdMs + input.graceDays * DAY_MS).toISOString().slice(0, 10);
    if (keep.has(secret.id)) {
      kept.push({ secretId: secret.id, why: 'kept on request' });
      continue;
    }
    const expiresMs = Date.parse(secret.expiresAt);
    const expired = !Number.isNaN(expiresMs) && expiresMs <= nowMs;
    const graceOver = retireAfter < today;
    if (!expired && !graceOver) {
      kept.push({ secretId: secret.id, why: `rotated out at ${supersededAt}; retires after ${retireAfter}` });
      continue;
    }
    deletions.push({
      kind: 'deleteServiceAccountSecret',
      orgId: input.orgId,
      clientId: input.clientId,
      secretId: secret.id,
      reason: graceOver
        ? `rotated out at ${supersededAt}: retire-after ${retireAfter} passed`
        : `rotated out at ${supersededAt} and expired at ${secret.expiresAt}`,
      evidence: { createdAt: secret.createdAt, expiresAt: secret.expiresAt, supersededAt, retireAfter },
    });
  }
  return { deletions, kept };
}
