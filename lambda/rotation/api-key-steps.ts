import { isNotFound } from '../atlas/is-not-found.ts';
import type { ApiKey, AtlasClient } from '../atlas/types.ts';
import type { AtlasSecretValue } from '../credentials/secret-shape.ts';
import { secretWithCredential } from '../credentials/write-secret-value.ts';
import { convergeSuccessor } from './converge-successor.ts';
import { RotationRefusedError, RotationStateError } from './errors.ts';
import { describeProfile, isSameProfile, profileDifference, readKeyProfile } from './key-profile.ts';
import { scanOrgKeys } from './scan-org-keys.ts';
import type { StepContext, StepResult } from './step-context.ts';
import { hasSuccessorMarker, successorDescription, withRetirementTag } from './successor-description.ts';
import { testPendingCredential } from './test-pending.ts';
import type { CredentialRef } from './types.ts';

type ApiKeySecret = Extract<AtlasSecretValue, { kind: 'apiKey' }>;

const DAY_MS = 86_400_000;

/**
 * createSecret for an API-key secret: the successor gets the predecessor's org roles (at creation), then is
 * stored as AWSPENDING at once (the private key exists only in Atlas's answer), then gets its access list and
 * projects. A retry finds the stored successor and completes what is missing; a successor whose private key was
 * lost (a stop between Atlas's answer and Secrets Manager) is found by its description, deleted and made anew, so
 * exactly one successor exists in the end.
 */
export async function createApiKeySuccessor(context: StepContext, current: ApiKeySecret): Promise<StepResult> {
  const { orgId } = context.target;
  const token = context.event.ClientRequestToken;
  return context.admin.run(orgId, context.location, async (client) => {
    const pending = await context.readPending();
    if (pending !== undefined) {
      const successor = asApiKeySecret(pending);
      const keys = await locateKeys(context, client, current, successor);
      const want = await readKeyProfile(client, orgId, keys.predecessor, context.call);
      const changes = await convergeSuccessor(client, orgId, keys.successor, want, context.call);
      return {
        outcome: 'already-done',
        detail: `an earlier attempt created and stored the successor${changes.length > 0 ? '; its copy of the predecessor is now complete' : ''}`,
        predecessor: refOf(keys.predecessor),
        successor: refOf(keys.successor),
        changes,
      };
    }

    const scan = await scanOrgKeys(client, orgId, { publicKeys: [current.publicKey], token }, context.call);
    const predecessor = await predecessorOf(context, client, current, scan.byPublicKey.get(current.publicKey));
    const want = await readKeyProfile(client, orgId, predecessor, context.call);
    if (want.orgRoles.length === 0) {
      throw new RotationStateError(`key ${predecessor.id} has no org role in org ${orgId}; Atlas cannot create a key without one`);
    }
    const changes: string[] = [];
    // Keys an interrupted attempt of this very rotation created: their private keys were never stored.
    for (const orphan of scan.marked.filter((key) => hasSuccessorMarker(key.desc, predecessor.id, token) && key.id !== predecessor.id)) {
      await client.deleteOrgKey(orgId, orphan.id, context.call);
      changes.push(`deleted ${orphan.id} (${orphan.publicKey}), a successor an interrupted attempt created but could not store`);
    }
    const created = await client.createOrgKey(
      orgId,
      { desc: successorDescription(predecessor.desc, predecessor.id, token), roles: want.orgRoles },
      context.call,
    );
    changes.push(`created ${created.id} (${created.publicKey}) with org roles ${want.orgRoles.join(', ')}`);
    const value = secretWithCredential(current, {
      kind: 'apiKey',
      publicKey: created.publicKey,
      privateKey: created.privateKey,
      apiUserId: created.id,
    });
    await context.store.putPending(context.event.SecretId, token, value);
    changes.push(`stored ${created.publicKey} as AWSPENDING (${current.shape} shape)`);
    changes.push(...(await convergeSuccessor(client, orgId, created, want, context.call)));
    return {
      outcome: 'done',
      detail: `successor ${created.publicKey} of ${predecessor.publicKey}: ${describeProfile(want)}`,
      predecessor: refOf(predecessor),
      successor: refOf(created),
      changes,
    };
  });
}

/** setSecret: nothing to set in Atlas; the successor is checked against its predecessor (and repaired if it differs). */
export async function verifyApiKeySuccessor(context: StepContext, current: ApiKeySecret): Promise<StepResult> {
  const { orgId } = context.target;
  return context.admin.run(orgId, context.location, async (client) => {
    const successorSecret = asApiKeySecret(await requirePending(context));
    const keys = await locateKeys(context, client, current, successorSecret);
    const want = await readKeyProfile(client, orgId, keys.predecessor, context.call);
    const changes = await convergeSuccessor(client, orgId, keys.successor, want, context.call);
    const have = await readKeyProfile(client, orgId, keys.successor, context.call);
    if (!isSameProfile(profileDifference(want, have))) {
      throw new RotationStateError(
        `successor ${keys.successor.id} still differs from ${keys.predecessor.id} after repair: want ${describeProfile(want)}; have ${describeProfile(have)}`,
      );
    }
    return {
      outcome: 'done',
      detail: `successor ${keys.successor.publicKey} matches ${keys.predecessor.publicKey}: ${describeProfile(want)}`,
      predecessor: refOf(keys.predecessor),
      successor: refOf(keys.successor),
      changes,
    };
  });
}

/** testSecret: the pending key authenticates (HTTP Digest) and reads the org. */
export async function testApiKeySuccessor(context: StepContext): Promise<StepResult> {
  const pending = asApiKeySecret(await requirePending(context));
  const detail = await testPendingCredential(context, { kind: 'digest', publicKey: pending.publicKey, privateKey: pending.privateKey });
  return { outcome: 'done', detail, successor: { kind: 'apiKey', publicKey: pending.publicKey, ...idOf(pending) }, changes: [] };
}

/**
 * After AWSCURRENT moved to the successor: the predecessor's description gets the retirement tag `graceDays`
 * ahead (its own words kept), so the sweep deletes it once the date has passed. A tag already there is kept.
 */
export async function retireApiKeyPredecessor(context: StepContext, predecessorSecret: ApiKeySecret): Promise<StepResult> {
  const { orgId, graceDays } = context.target;
  const retireAfter = new Date(context.now.getTime() + graceDays * DAY_MS).toISOString().slice(0, 10);
  return context.admin.run(orgId, context.location, async (client) => {
    const predecessor = await findKey(context, client, predecessorSecret);
    if (predecessor === undefined) {
      return { outcome: 'done', detail: `the predecessor ${predecessorSecret.publicKey} no longer exists: nothing to retire`, changes: [] };
    }
    const desc = withRetirementTag(predecessor.desc, retireAfter);
    if (desc === predecessor.desc) {
      return { outcome: 'already-done', detail: `${predecessor.publicKey} already carries its retirement tag`, predecessor: refOf(predecessor), changes: [] };
    }
    await client.updateOrgKey(orgId, predecessor.id, { desc }, context.call);
    return {
      outcome: 'done',
      detail: `${predecessor.publicKey} retires after ${retireAfter} (the sweep deletes it once that day has passed)`,
      predecessor: refOf(predecessor),
      changes: [`tagged ${predecessor.id} retire-after=${retireAfter}`],
    };
  });
}

function asApiKeySecret(secret: AtlasSecretValue): ApiKeySecret {
  if (secret.kind !== 'apiKey') throw new RotationStateError('the pending version holds a service-account secret, the current one an API key');
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

/** The current key: by its id when the secret holds one (checked against the public key), else from the scan. */
async function predecessorOf(context: StepContext, client: AtlasClient, current: ApiKeySecret, scanned: ApiKey | undefined): Promise<ApiKey> {
  const key = current.apiUserId === undefined ? scanned : await getKey(context, client, current.apiUserId);
  if (key === undefined) {
    throw new RotationStateError(`the current key ${current.publicKey} of ${context.event.SecretId} is not in org ${context.target.orgId}`);
  }
  if (key.publicKey !== current.publicKey) {
    throw new RotationRefusedError(
      `the secret's apiUserId ${current.apiUserId} names key ${key.publicKey}, not its publicKey ${current.publicKey}; fix the secret`,
    );
  }
  return key;
}

/** Predecessor (AWSCURRENT) and successor (AWSPENDING) keys, both required. */
async function locateKeys(
  context: StepContext,
  client: AtlasClient,
  current: ApiKeySecret,
  pending: ApiKeySecret,
): Promise<{ predecessor: ApiKey; successor: ApiKey }> {
  const ids = current.apiUserId !== undefined && pending.apiUserId !== undefined;
  const scan = ids ? undefined : await scanOrgKeys(client, context.target.orgId, { publicKeys: [current.publicKey, pending.publicKey] }, context.call);
  const predecessor = await predecessorOf(context, client, current, scan?.byPublicKey.get(current.publicKey));
  const successor = pending.apiUserId === undefined ? scan?.byPublicKey.get(pending.publicKey) : await getKey(context, client, pending.apiUserId);
  if (successor === undefined || successor.publicKey !== pending.publicKey) {
    throw new RotationStateError(`the pending key ${pending.publicKey} of ${context.event.SecretId} is not in org ${context.target.orgId}`);
  }
  return { predecessor, successor };
}

async function findKey(context: StepContext, client: AtlasClient, secret: ApiKeySecret): Promise<ApiKey | undefined> {
  if (secret.apiUserId !== undefined) return getKey(context, client, secret.apiUserId);
  const scan = await scanOrgKeys(client, context.target.orgId, { publicKeys: [secret.publicKey] }, context.call);
  return scan.byPublicKey.get(secret.publicKey);
}

async function getKey(context: StepContext, client: AtlasClient, apiUserId: string): Promise<ApiKey | undefined> {
  try {
    return await client.getOrgKey(context.target.orgId, apiUserId, context.call);
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

function refOf(key: ApiKey): CredentialRef {
  return { kind: 'apiKey', apiUserId: key.id, publicKey: key.publicKey };
}

function idOf(secret: ApiKeySecret): { apiUserId?: string } {
  return secret.apiUserId === undefined ? {} : { apiUserId: secret.apiUserId };
}
