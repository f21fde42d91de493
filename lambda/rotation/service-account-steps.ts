import type { AtlasSecretValue } from '../credentials/secret-shape.ts';
import { secretWithCredential } from '../credentials/write-secret-value.ts';
import { MAX_SERVICE_ACCOUNT_SECRETS, ORPHAN_SECRET_MARGIN_MS } from './constants.ts';
import { RotationStateError, ServiceAccountSecretLimitError } from './errors.ts';
import { planServiceAccountSecretRetirement } from './plan-service-account-secret-retirement.ts';
import type { StepContext, StepResult } from './step-context.ts';
import { testPendingCredential } from './test-pending.ts';
import type { CredentialRef } from './types.ts';

type AccountSecret = Extract<AtlasSecretValue, { kind: 'serviceAccount' }>;

/**
 * createSecret for a service-account secret: a new secret of the same account (the account keeps its client id,
 * roles and access list), stored as AWSPENDING at once. Atlas holds at most two secrets per account: with two
 * already there the rotation stops before creating anything and says which to delete. A secret an interrupted
 * attempt created (after the current version was stored, never used) is deleted and made anew.
 */
export async function createServiceAccountSecret(context: StepContext, current: AccountSecret): Promise<StepResult> {
  const { orgId } = context.target;
  const token = context.event.ClientRequestToken;
  return context.admin.run(orgId, context.location, async (client) => {
    const pending = await context.readPending();
    if (pending !== undefined) {
      return { outcome: 'already-done', detail: 'an earlier attempt created and stored the new secret', ...refs(current), changes: [] };
    }
    const account = await client.getServiceAccount(orgId, current.clientId, context.call);
    const storedMs = context.currentVersion.createdDate?.getTime();
    const orphans = account.secrets.filter(
      (secret) =>
        storedMs !== undefined && Date.parse(secret.createdAt) > storedMs + ORPHAN_SECRET_MARGIN_MS && secret.lastUsedAt === undefined,
    );
    const others = account.secrets.filter((secret) => !orphans.includes(secret));
    if (others.length >= MAX_SERVICE_ACCOUNT_SECRETS) {
      const plan = planServiceAccountSecretRetirement({
        orgId,
        clientId: current.clientId,
        secrets: others,
        graceDays: context.target.graceDays,
        now: context.now,
      });
      const listing = others.map((secret) => `${secret.id} (created ${secret.createdAt}, expires ${secret.expiresAt})`).join(', ');
      const retiring = plan.kept.find((entry) => entry.why.includes('retires after'));
      throw new ServiceAccountSecretLimitError(
        `service account ${current.clientId} already holds ${others.length} secrets, the most Atlas allows (${listing}); ` +
          'the rotation cannot create another. ' +
          (retiring === undefined
            ? 'Delete the one no consumer uses, then let Secrets Manager retry.'
            : `The sweep deletes ${retiring.secretId} when its grace period ends (${retiring.why}); rotate after that, or delete it now.`),
      );
    }
    const changes: string[] = [];
    for (const orphan of orphans) {
      await client.deleteServiceAccountSecret(orgId, current.clientId, orphan.id, context.call);
      changes.push(`deleted secret ${orphan.id}, created by an interrupted attempt that could not store it`);
    }
    const created = await client.createServiceAccountSecret(orgId, current.clientId, context.target.secretExpiresAfterHours, context.call);
    changes.push(`created secret ${created.id} of ${current.clientId}, expiring ${created.expiresAt}`);
    await context.store.putPending(
      context.event.SecretId,
      token,
      secretWithCredential(current, { kind: 'serviceAccount', clientSecret: created.secret }),
    );
    changes.push(`stored secret ${created.id} as AWSPENDING`);
    return {
      outcome: 'done',
      detail: `new secret ${created.id} for ${current.clientId} (Atlas cut the remaining life of the others to at most 7 days)`,
      predecessor: { kind: 'serviceAccount', clientId: current.clientId },
      successor: { kind: 'serviceAccount', clientId: current.clientId, secretId: created.id, expiresAt: created.expiresAt },
      changes,
    };
  });
}

/** setSecret: the pending secret belongs to the same account, and the account is there with its secrets. */
export async function verifyServiceAccountSecret(context: StepContext, current: AccountSecret): Promise<StepResult> {
  const pending = asAccountSecret(await requirePending(context), current);
  return context.admin.run(context.target.orgId, context.location, async (client) => {
    const account = await client.getServiceAccount(context.target.orgId, pending.clientId, context.call);
    return {
      outcome: 'done',
      detail: `service account ${account.clientId} holds ${account.secrets.length} secret(s); nothing to set in Atlas`,
      ...refs(current),
      changes: [],
    };
  });
}

/** testSecret: the pending secret gets an OAuth token and reads the org. */
export async function testServiceAccountSecret(context: StepContext, current: AccountSecret): Promise<StepResult> {
  const pending = asAccountSecret(await requirePending(context), current);
  const detail = await testPendingCredential(context, { kind: 'oauth', clientId: pending.clientId, clientSecret: pending.clientSecret });
  return { outcome: 'done', detail, ...refs(current), changes: [] };
}

function asAccountSecret(secret: AtlasSecretValue, current: AccountSecret): AccountSecret {
  if (secret.kind !== 'serviceAccount') throw new RotationStateError('the pending version holds an API key, the current one a service-account secret');
  if (secret.clientId !== current.clientId) {
    throw new RotationStateError(`the pending version names service account ${secret.clientId}, the current one ${current.clientId}`);
  }
  return secret;
}

async function requirePending(context: StepContext): Promise<AtlasSecretValue> {
  const pending = await context.readPending();
  if (pending === undefined) {
    throw new RotationStateError(
      `secret ${context.event.SecretId} has no AWSPENDING value for token ${context.event.ClientRequestToken}; createSecret must run first`,
    );
  }
  return pending;
}

function refs(current: AccountSecret): { predecessor: CredentialRef; successor: CredentialRef } {
  const ref: CredentialRef = { kind: 'serviceAccount', clientId: current.clientId };
  return { predecessor: ref, successor: ref };
}
