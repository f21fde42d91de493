import { Stack } from 'aws-cdk-lib';
import { type IGrantable, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';

/** What a worker function reads: its credentials secrets, by exact ARN. */
export const SECRET_READ_ACTIONS = ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'] as const;

/** What the Secrets Manager rotation protocol needs on a rotated secret (and no `GetRandomPassword`). */
export const SECRET_ROTATION_ACTIONS = [
  'secretsmanager:DescribeSecret',
  'secretsmanager:GetSecretValue',
  'secretsmanager:PutSecretValue',
  'secretsmanager:UpdateSecretVersionStage',
] as const;

/** Grants reading exactly `secretArns` (complete ARNs, deduplicated), in one statement. */
export function grantSecretsRead(grantee: IGrantable, secretArns: readonly string[]): void {
  grantee.grantPrincipal.addToPrincipalPolicy(
    new PolicyStatement({ actions: [...SECRET_READ_ACTIONS], resources: unique(secretArns) }),
  );
}

/** Grants the rotation protocol's actions on exactly `secretArns`, in one statement. */
export function grantSecretsRotation(grantee: IGrantable, secretArns: readonly string[]): void {
  grantee.grantPrincipal.addToPrincipalPolicy(
    new PolicyStatement({ actions: [...SECRET_ROTATION_ACTIONS], resources: unique(secretArns) }),
  );
}

/**
 * Grants use of the customer-managed key that encrypts the secrets, only through Secrets Manager in this
 * region: `kms:Decrypt` to read, and `kms:GenerateDataKey` as well when the function writes new secret
 * versions (rotation).
 */
export function grantSecretKey(scope: Construct, grantee: IGrantable, key: IKey, rotates: boolean): void {
  grantee.grantPrincipal.addToPrincipalPolicy(
    new PolicyStatement({
      actions: rotates ? ['kms:Decrypt', 'kms:GenerateDataKey'] : ['kms:Decrypt'],
      resources: [key.keyArn],
      conditions: { StringEquals: { 'kms:ViaService': `secretsmanager.${Stack.of(scope).region}.amazonaws.com` } },
    }),
  );
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}
