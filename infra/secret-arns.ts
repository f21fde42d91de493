import { Token } from 'aws-cdk-lib';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';

/**
 * A secret's complete ARN: region, account, name and the 6-character suffix Secrets Manager appends. A name,
 * or a partial ARN without the suffix, is ambiguous (a name that itself ends in `-` + 6 characters matches
 * another secret's ARN) and cannot be granted by exact ARN, so a deployed worker takes complete ARNs only.
 */
const COMPLETE_SECRET_ARN = /^arn:aws[a-z-]*:secretsmanager:([a-z0-9-]+):(\d{12}):secret:[\w/+=.@-]+-[A-Za-z0-9]{6}$/;

/** How to find a secret's complete ARN from its name, for error messages. */
export const FIND_SECRET_ARN_HINT = 'aws secretsmanager describe-secret --secret-id NAME --query ARN --output text';

/** The region of a complete secret ARN, or undefined when `value` is not one. */
export function secretArnRegion(value: string): string | undefined {
  return COMPLETE_SECRET_ARN.exec(value)?.[1];
}

/**
 * `arn` must be a complete secret ARN in `stackRegion` (the function reads it through its own region's
 * endpoint). Tokens, and a region unknown at synth time (a token, or undefined), are skipped.
 */
export function checkCompleteSecretArn(field: string, arn: string, stackRegion: string | undefined): void {
  if (Token.isUnresolved(arn)) return;
  const region = secretArnRegion(arn);
  if (region === undefined) {
    throw new Error(
      `${field} must be a secret's complete ARN, with its 6-character suffix (given "${arn}"); find it with ` +
        `\`${FIND_SECRET_ARN_HINT}\``,
    );
  }
  if (stackRegion !== undefined && !Token.isUnresolved(stackRegion) && region !== stackRegion) {
    throw new Error(
      `${field} lives in ${region} but the stack deploys to ${stackRegion}: create the secret (or a replica) ` +
        "in the stack's region (given \"" + arn + '")',
    );
  }
}

/**
 * The complete ARN of `secret`. A secret imported by name (`Secret.fromSecretNameV2`) has only a partial ARN,
 * which is neither what the runtime must receive nor something to grant by exact ARN: import it with
 * `Secret.fromSecretCompleteArn` instead.
 */
export function completeArnOf(field: string, secret: ISecret, stackRegion: string): string {
  const arn = secret.secretFullArn;
  if (arn === undefined) {
    throw new Error(
      `${field} has no complete ARN (it was imported by name): import it with Secret.fromSecretCompleteArn ` +
        `(context -c secretArn=…); find the ARN with \`${FIND_SECRET_ARN_HINT}\``,
    );
  }
  checkCompleteSecretArn(field, arn, stackRegion);
  return arn;
}

/** A policy org that names its own credentials secret. */
export interface OrgSecret {
  readonly index: number;
  readonly orgId: string;
  readonly secretId: string;
}

/** The orgs of a parsed policy that name their own `secretId`, in policy order. */
export function orgSecrets(orgs: readonly { readonly orgId: string }[]): OrgSecret[] {
  return orgs.flatMap((org, index) => {
    const secretId = (org as { readonly secretId?: unknown }).secretId;
    return typeof secretId === 'string' ? [{ index, orgId: org.orgId, secretId }] : [];
  });
}
