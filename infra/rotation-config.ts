import { type Duration, Stack } from 'aws-cdk-lib';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { DEFAULTS } from './defaults.ts';
import { completeArnOf } from './secret-arns.ts';

/** One secret the worker rotates (construct prop). */
export interface RotatedSecret {
  /** Must have a complete ARN: created in the app, or imported with `Secret.fromSecretCompleteArn`. */
  readonly secret: ISecret;
  /** The org whose API key (or service account) the secret holds; must be one of the policy's orgs. */
  readonly orgId: string;
  /**
   * Days the superseded key keeps working after a rotation (its description gets the retirement tag), 1 to 365.
   *
   * @default 7
   */
  readonly graceDays?: number;
  /**
   * For a service-account secret: lifetime of each new Atlas secret, in hours, 8 to 8760.
   *
   * @default - the runtime's default (90 days)
   */
  readonly secretExpiresAfterHours?: number;
}

/** Rotation of Atlas credentials kept in Secrets Manager (construct prop `rotation`). */
export interface RotationOptions {
  readonly secrets: readonly RotatedSecret[];
  /** Time between rotations: whole days, 1 to 1000 (Secrets Manager's range). */
  readonly every: Duration;
  /**
   * Whether Secrets Manager rotates each secret as soon as its schedule is deployed (it does by default).
   * Off here: a deployment never creates Atlas keys by itself; the first rotation comes with the schedule.
   *
   * @default false
   */
  readonly rotateImmediately?: boolean;
}

/** A rotated secret as the function receives it in `ROTATION_CONFIG`. */
export interface RotationEntry {
  readonly secretId: string;
  readonly orgId: string;
  readonly graceDays: number;
  readonly secretExpiresAfterHours?: number;
  /** The secret itself, for its encryption key. */
  readonly secret: ISecret;
}

/** Validated rotation settings. */
export interface ResolvedRotation {
  readonly entries: readonly RotationEntry[];
  readonly days: number;
  readonly rotateImmediately: boolean;
  /**
   * `ROTATION_CONFIG`: `{"secrets":[{"secretId":"<complete ARN>","orgId":"<24 hex>","graceDays":7}]}`, plus
   * `secretExpiresAfterHours` where given.
   */
  readonly json: string;
}

/**
 * Checks the `rotation` prop against the policy's orgs and builds `ROTATION_CONFIG`. Every error names the
 * field and the bad value.
 */
export function resolveRotation(scope: Construct, rotation: RotationOptions, policyOrgIds: readonly string[]): ResolvedRotation {
  if (rotation.every.isUnresolved()) throw new Error('rotation.every must be known at synth time');
  const days = rotation.every.toDays({ integral: false });
  if (!Number.isInteger(days) || days < 1 || days > 1000) {
    throw new Error(`rotation.every must be whole days between 1 and 1000 inclusive (given ${rotation.every.toHumanString()})`);
  }
  if (rotation.secrets.length === 0) throw new Error('rotation.secrets must list at least one secret (given none)');

  const region = Stack.of(scope).region;
  const seen = new Set<string>();
  const entries = rotation.secrets.map((item, index): RotationEntry => {
    const field = `rotation.secrets.${index}`;
    const secretId = completeArnOf(`${field}.secret`, item.secret, region);
    if (seen.has(secretId)) throw new Error(`${field}.secret is listed twice (given ${secretId})`);
    seen.add(secretId);
    if (!policyOrgIds.includes(item.orgId)) {
      throw new Error(
        `${field}.orgId must be one of the policy's orgs, whose credentials the worker holds (given "${item.orgId}")`,
      );
    }
    const graceDays = item.graceDays ?? DEFAULTS.rotationGraceDays;
    if (!Number.isInteger(graceDays) || graceDays < 1 || graceDays > 365) {
      throw new Error(`${field}.graceDays must be a whole number between 1 and 365 inclusive (given ${graceDays})`);
    }
    const hours = item.secretExpiresAfterHours;
    if (hours !== undefined && (!Number.isInteger(hours) || hours < 8 || hours > 8760)) {
      throw new Error(`${field}.secretExpiresAfterHours must be a whole number between 8 and 8760 inclusive (given ${hours})`);
    }
    return {
      secretId,
      orgId: item.orgId,
      graceDays,
      ...(hours === undefined ? {} : { secretExpiresAfterHours: hours }),
      secret: item.secret,
    };
  });

  const config = { secrets: entries.map(({ secret: _secret, ...entry }) => entry) };
  return {
    entries,
    days,
    rotateImmediately: rotation.rotateImmediately ?? false,
    json: Stack.of(scope).toJsonString(config),
  };
}
