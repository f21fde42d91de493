import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { AtlasClient } from '../atlas/types.ts';
import { isNotFound } from '../atlas/is-not-found.ts';
import { parseAtlasSecret, type SecretShape } from '../credentials/secret-shape.ts';
import { DEFAULT_ATLAS_BASE_URL } from '../credentials/types.ts';
import type { AdminAccess, SecretLocation } from './admin-access.ts';
import { MAX_SERVICE_ACCOUNT_SECRETS } from './constants.ts';
import { RotationRefusedError, RotationStateError } from './errors.ts';
import { type KeyProfile, readKeyProfile } from './key-profile.ts';
import { scanOrgKeys } from './scan-org-keys.ts';
import { SecretsStore } from './secrets-store.ts';
import { successorDescription } from './successor-description.ts';
import type { RotationTarget } from './types.ts';

const DAY_MS = 86_400_000;

/** What a rotation would do, read without changing anything (the CLI's `--dry-run`). */
export type RotationPlan =
  | {
      readonly credential: 'apiKey';
      readonly secretId: string;
      readonly orgId: string;
      readonly shape: SecretShape;
      readonly location: SecretLocation;
      readonly predecessor: { readonly apiUserId: string; readonly publicKey: string; readonly desc?: string };
      /** The successor's description (the marker names the predecessor and a token yet to be drawn). */
      readonly successorDesc: string;
      readonly profile: KeyProfile;
      readonly retireAfter: string;
    }
  | {
      readonly credential: 'serviceAccount';
      readonly secretId: string;
      readonly orgId: string;
      readonly location: SecretLocation;
      readonly clientId: string;
      readonly secrets: ReadonlyArray<{ readonly id: string; readonly createdAt: string; readonly expiresAt: string }>;
      readonly expiresAfterHours: number;
      /** Set when the account already holds the two secrets Atlas allows. */
      readonly blocked?: string;
    };

/** Reads the secret and Atlas and says what a rotation of `target` would create; sends no write. */
export async function planRotation(
  target: RotationTarget,
  deps: { readonly secretsManager: SecretsManagerClient; readonly admin: AdminAccess; readonly now?: () => Date },
): Promise<RotationPlan> {
  const store = new SecretsStore(deps.secretsManager);
  const current = await store.get(target.secretId, { stage: 'AWSCURRENT' });
  if (current === undefined) throw new RotationStateError(`secret ${target.secretId} has no AWSCURRENT value`);
  const secret = parseAtlasSecret(current.value, `secret:${target.secretId} (AWSCURRENT)`);
  const location: SecretLocation = { baseUrl: new URL(secret.baseUrl ?? DEFAULT_ATLAS_BASE_URL).origin, flavor: secret.flavor ?? 'atlas' };
  const now = (deps.now ?? (() => new Date()))();
  if (secret.kind === 'serviceAccount') {
    if (location.flavor === 'ops-manager') throw new RotationRefusedError('Ops Manager has no service accounts; only API keys rotate there');
    const account = await deps.admin.run(target.orgId, location, (client) => client.getServiceAccount(target.orgId, secret.clientId));
    const secrets = account.secrets.map(({ id, createdAt, expiresAt }) => ({ id, createdAt, expiresAt }));
    return {
      credential: 'serviceAccount',
      secretId: target.secretId,
      orgId: target.orgId,
      location,
      clientId: secret.clientId,
      secrets,
      expiresAfterHours: target.secretExpiresAfterHours,
      ...(secrets.length >= MAX_SERVICE_ACCOUNT_SECRETS
        ? { blocked: `the account already holds ${secrets.length} secrets, the most Atlas allows: delete one first` }
        : {}),
    };
  }
  return deps.admin.run(target.orgId, location, async (client: AtlasClient) => {
    const key =
      secret.apiUserId === undefined
        ? (await scanOrgKeys(client, target.orgId, { publicKeys: [secret.publicKey] }, {})).byPublicKey.get(secret.publicKey)
        : await client.getOrgKey(target.orgId, secret.apiUserId).catch((error: unknown) => {
            if (isNotFound(error)) return undefined;
            throw error;
          });
    if (key === undefined || key.publicKey !== secret.publicKey) {
      throw new RotationStateError(`the current key ${secret.publicKey} of ${target.secretId} is not in org ${target.orgId}`);
    }
    return {
      credential: 'apiKey',
      secretId: target.secretId,
      orgId: target.orgId,
      shape: secret.shape,
      location,
      predecessor: { apiUserId: key.id, publicKey: key.publicKey, ...(typeof key.desc === 'string' ? { desc: key.desc } : {}) },
      successorDesc: successorDescription(key.desc, key.id, '<token>'),
      profile: await readKeyProfile(client, target.orgId, key, {}),
      retireAfter: new Date(now.getTime() + target.graceDays * DAY_MS).toISOString().slice(0, 10),
    };
  });
}
