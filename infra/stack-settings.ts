import { scheduleExpressionsFromContext } from './schedule-from-context.ts';

/** How the stack finds the Atlas credentials secret. */
export type SecretReference = { readonly kind: 'name'; readonly name: string } | { readonly kind: 'arn'; readonly arn: string };

/** The stack's settings, as read from CDK context (`cdk.json` or `-c key=value`). */
export interface StackSettings {
  readonly secret: SecretReference;
  /** Orgs of the built policy; ignored when `policyFile` is given. */
  readonly orgIds: readonly string[];
  /** Overrides the policy's `dryRun`; absent: the policy's (true unless it says otherwise). */
  readonly dryRun?: boolean;
  /** Absent: the construct's default schedule. */
  readonly scheduleExpressions?: readonly string[];
  readonly alarmEmail?: string;
  readonly staticEgress: boolean;
  /** Path of a policy JSON file that replaces the policy built from `orgIds`. */
  readonly policyFile?: string;
}

type ContextReader = (key: string) => unknown;

/**
 * Reads and checks the stack's context values; every error names the context key and the bad value. Values
 * from `-c key=value` arrive as strings, values from `cdk.json` may be booleans or arrays: both are accepted.
 */
export function readStackSettings(context: ContextReader): StackSettings {
  const secretName = optionalString(context, 'secretName');
  const secretArn = optionalString(context, 'secretArn');
  if (secretName !== undefined && secretArn !== undefined) {
    throw new Error('context "secretName" and "secretArn" are alternatives: give one of them (given both)');
  }
  let secret: SecretReference;
  if (secretArn !== undefined) {
    if (!/^arn:aws[\w-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+-[A-Za-z0-9]{6}$/.test(secretArn)) {
      throw new Error(`context "secretArn" must be a secret's complete ARN, with its 6-character suffix (given "${secretArn}")`);
    }
    secret = { kind: 'arn', arn: secretArn };
  } else if (secretName !== undefined) {
    secret = { kind: 'name', name: secretName };
  } else {
    throw new Error('context "secretName" or "secretArn" is required (given neither)');
  }

  const dryRun = optionalBoolean(context, 'dryRun');
  const schedule = context('schedule');
  const alarmEmail = optionalString(context, 'alarmEmail');
  if (alarmEmail !== undefined && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(alarmEmail)) {
    throw new Error(`context "alarmEmail" must be an email address (given "${alarmEmail}")`);
  }
  const policyFile = optionalString(context, 'policyFile');

  return {
    secret,
    orgIds: orgIdsFromContext(context('orgIds')),
    ...(dryRun === undefined ? {} : { dryRun }),
    ...(schedule === undefined ? {} : { scheduleExpressions: scheduleExpressionsFromContext(schedule) }),
    ...(alarmEmail === undefined ? {} : { alarmEmail }),
    staticEgress: optionalBoolean(context, 'staticEgress') ?? false,
    ...(policyFile === undefined ? {} : { policyFile }),
  };
}

/** The org ids as given; the policy schema checks their format. */
function orgIdsFromContext(value: unknown): string[] {
  if (value === undefined) return [];
  const parts = typeof value === 'string' ? value.split(',') : Array.isArray(value) ? value : undefined;
  if (!parts?.every((part) => typeof part === 'string')) {
    throw new Error(`context "orgIds" must be comma-separated org ids (given ${JSON.stringify(value)})`);
  }
  return parts.map((part) => part.trim()).filter((part) => part.length > 0);
}

function optionalString(context: ContextReader, key: string): string | undefined {
  const value = context(key);
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string') throw new Error(`context "${key}" must be a string (given ${JSON.stringify(value)})`);
  return value.trim();
}

function optionalBoolean(context: ContextReader, key: string): boolean | undefined {
  const value = context(key);
  if (value === undefined || value === '') return undefined;
  if (value === true || value === 'true') return true;
  if (value === false || value === 'false') return false;
  throw new Error(`context "${key}" must be true or false (given ${JSON.stringify(value)})`);
}
