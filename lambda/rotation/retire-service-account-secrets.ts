import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { AtlasClient, CallOptions } from '../atlas/types.ts';
import { parseAtlasSecret } from '../credentials/secret-shape.ts';
import type { WriteBudget } from '../state/types.ts';
import { describeError } from '../worker/describe-error.ts';
import { planServiceAccountSecretRetirement, type ServiceAccountSecretDeletion } from './plan-service-account-secret-retirement.ts';
import type { RotationTarget } from './types.ts';

export interface RetiredSecretResult {
  readonly deletion: ServiceAccountSecretDeletion;
  readonly outcome: 'done' | 'already-absent' | 'skipped' | 'failed';
  readonly detail?: string;
}

export interface RetireOptions {
  readonly orgId: string;
  readonly client: AtlasClient;
  /** `ROTATION_CONFIG`'s secrets; those of other orgs, and API-key secrets, are ignored. */
  readonly targets: readonly RotationTarget[];
  readonly secretsManager: SecretsManagerClient;
  readonly budget: WriteBudget;
  readonly limit: number;
  readonly now: Date;
  readonly dryRun: boolean;
  readonly call?: CallOptions;
}

/**
 * The sweep's rule for rotated service accounts: for each rotated service-account secret of the org, the secrets
 * of its account that were rotated out more than `graceDays` ago (or expired) are deleted, never the newest one.
 * Each delete reserves a unit of the org's write budget first, like every other write of a sweep.
 */
export async function retireServiceAccountSecrets(options: RetireOptions): Promise<RetiredSecretResult[]> {
  const results: RetiredSecretResult[] = [];
  for (const target of options.targets.filter((t) => t.orgId === options.orgId)) {
    const stored = await options.secretsManager.send(new GetSecretValueCommand({ SecretId: target.secretId }));
    const secret = parseAtlasSecret(stored.SecretString, target.secretId);
    if (secret.kind !== 'serviceAccount') continue;
    const account = await options.client.getServiceAccount(options.orgId, secret.clientId, options.call);
    const plan = planServiceAccountSecretRetirement({
      orgId: options.orgId,
      clientId: secret.clientId,
      secrets: account.secrets ?? [],
      graceDays: target.graceDays,
      now: options.now,
    });
    for (const deletion of plan.deletions) results.push(await retire(deletion, options));
  }
  return results;
}

async function retire(deletion: ServiceAccountSecretDeletion, options: RetireOptions): Promise<RetiredSecretResult> {
  if (options.dryRun) return { deletion, outcome: 'skipped', detail: 'dry run: no request sent' };
  try {
    const reservation = await options.budget.reserve({ orgId: deletion.orgId, at: options.now, limit: options.limit, kind: deletion.kind });
    if (!reservation.granted) {
      return { deletion, outcome: 'skipped', detail: `write budget exhausted: ${reservation.used} of ${reservation.limit} writes for this org today (maxWritesPerOrgPerDay)` };
    }
    const outcome = await options.client.deleteServiceAccountSecret(deletion.orgId, deletion.clientId, deletion.secretId, options.call);
    return { deletion, outcome };
  } catch (error) {
    return { deletion, outcome: 'failed', detail: describeError(error).summary };
  }
}
