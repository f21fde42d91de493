import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { scheduleExpressionsFromContext } from './schedule-from-context.ts';
import { checkCompleteSecretArn } from './secret-arns.ts';
import { tagsFromContext } from './worker-tags.ts';

/** Org of the policy built when the context names neither `orgIds` nor `policyFile`: synth-only. */
export const PLACEHOLDER_ORG_ID = '000000000000000000000000';

/** The stack's settings, as read from CDK context (`-c key=value`, or `cdk.json`). */
export interface StackSettings {
  /** Complete ARN of the credentials secret; absent: a required CloudFormation parameter `AtlasCredentialsArn`. */
  readonly secretArn?: string;
  /** Orgs of the built policy; ignored when `policyFile` is given. */
  readonly orgIds: readonly string[];
  /** Path of a policy JSON file that replaces the policy built from `orgIds`. */
  readonly policyFile?: string;
  /** Overrides the policy's `dryRun`; absent: the policy's (true unless it says otherwise). */
  readonly dryRun?: boolean;
  /** Absent: the construct's default schedule. */
  readonly scheduleExpressions?: readonly string[];
  /** `false` only when given explicitly: no alarms. */
  readonly alarms: boolean;
  readonly alarmEmail?: string;
  readonly alarmTopicArn?: string;
  readonly staticEgress: boolean;
  readonly natGatewayPerAz?: boolean;
  readonly elasticIpAllocationIds?: readonly string[];
  readonly secretKmsKeyArn?: string;
  /** Absent: no revocation rule. */
  readonly revocationSources?: readonly string[];
  readonly tags: Readonly<Record<string, string>>;
  readonly tracing?: boolean;
  readonly logRetention?: RetentionDays;
  readonly rotateOwnSecret: boolean;
  readonly rotationEveryDays?: number;
  readonly rotationGraceDays?: number;
  readonly rotationOrgId?: string;
}

type ContextReader = (key: string) => unknown;

/**
 * Reads and checks the stack's context values; every error names the context key and the bad value. Values
 * from `-c key=value` arrive as strings, values from `cdk.json` may be booleans or arrays: both are accepted.
 * Nothing here has a default that could override what the user passed: absent values stay absent, and the
 * stack or the construct decides.
 */
export function readStackSettings(context: ContextReader): StackSettings {
  if (optionalString(context, 'secretName') !== undefined) {
    throw new Error(
      'context "secretName" is not supported: the function needs the secret\'s complete ARN; give ' +
        '-c secretArn=$(aws secretsmanager describe-secret --secret-id NAME --query ARN --output text)',
    );
  }
  const secretArn = optionalString(context, 'secretArn');
  if (secretArn !== undefined) checkCompleteSecretArn('context "secretArn"', secretArn, optionalString(context, 'region'));

  const orgIdsValue = context('orgIds');
  const policyFile = optionalString(context, 'policyFile');
  const orgIds =
    orgIdsValue === undefined && policyFile === undefined ? [PLACEHOLDER_ORG_ID] : orgIdsFromContext(orgIdsValue);
  const dryRun = optionalBoolean(context, 'dryRun');
  const schedule = context('schedule');
  const alarmEmail = optionalString(context, 'alarmEmail');
  if (alarmEmail !== undefined && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(alarmEmail)) {
    throw new Error(`context "alarmEmail" must be an email address (given "${alarmEmail}")`);
  }
  const alarmTopicArn = optionalString(context, 'alarmTopicArn');
  if (alarmTopicArn !== undefined && !/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[\w-]{1,256}$/.test(alarmTopicArn)) {
    throw new Error(`context "alarmTopicArn" must be an SNS topic ARN (given "${alarmTopicArn}")`);
  }
  const alarms = optionalBoolean(context, 'alarms') ?? true;
  if (!alarms && (alarmEmail !== undefined || alarmTopicArn !== undefined)) {
    throw new Error('context "alarms" is false, so "alarmEmail" and "alarmTopicArn" must not be given (given one)');
  }
  const secretKmsKeyArn = optionalString(context, 'secretKmsKeyArn');
  if (secretKmsKeyArn !== undefined && !/^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[\w-]+$/.test(secretKmsKeyArn)) {
    throw new Error(`context "secretKmsKeyArn" must be a KMS key ARN (arn:aws:kms:…:key/…) (given "${secretKmsKeyArn}")`);
  }
  const revocationSources = optionalList(context, 'revocationSources');
  const elasticIpAllocationIds = optionalList(context, 'elasticIpAllocationIds');
  for (const id of elasticIpAllocationIds ?? []) {
    if (!/^eipalloc-[0-9a-f]{8,17}$/.test(id)) {
      throw new Error(`context "elasticIpAllocationIds" must list eipalloc-… ids (given "${id}")`);
    }
  }
  const natGatewayPerAz = optionalBoolean(context, 'natGatewayPerAz');
  const tracing = optionalBoolean(context, 'tracing');
  const logRetention = optionalRetention(context, 'logRetentionDays');
  const rotationEveryDays = optionalInteger(context, 'rotationEveryDays');
  const rotationGraceDays = optionalInteger(context, 'rotationGraceDays');
  const rotationOrgId = optionalString(context, 'rotationOrgId');

  return {
    ...(secretArn === undefined ? {} : { secretArn }),
    orgIds,
    ...(policyFile === undefined ? {} : { policyFile }),
    ...(dryRun === undefined ? {} : { dryRun }),
    ...(schedule === undefined ? {} : { scheduleExpressions: scheduleExpressionsFromContext(schedule) }),
    alarms,
    ...(alarmEmail === undefined ? {} : { alarmEmail }),
    ...(alarmTopicArn === undefined ? {} : { alarmTopicArn }),
    staticEgress: optionalBoolean(context, 'staticEgress') ?? false,
    ...(natGatewayPerAz === undefined ? {} : { natGatewayPerAz }),
    ...(elasticIpAllocationIds === undefined ? {} : { elasticIpAllocationIds }),
    ...(secretKmsKeyArn === undefined ? {} : { secretKmsKeyArn }),
    ...(revocationSources === undefined ? {} : { revocationSources }),
    tags: tagsFromContext(context('tags')),
    ...(tracing === undefined ? {} : { tracing }),
    ...(logRetention === undefined ? {} : { logRetention }),
    rotateOwnSecret: optionalBoolean(context, 'rotateOwnSecret') ?? false,
    ...(rotationEveryDays === undefined ? {} : { rotationEveryDays }),
    ...(rotationGraceDays === undefined ? {} : { rotationGraceDays }),
    ...(rotationOrgId === undefined ? {} : { rotationOrgId }),
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

/** A comma-separated string (from `-c`) or an array of strings (from `cdk.json`). */
function optionalList(context: ContextReader, key: string): string[] | undefined {
  const value = context(key);
  if (value === undefined || value === '') return undefined;
  const parts = typeof value === 'string' ? value.split(',') : Array.isArray(value) ? value : undefined;
  if (!parts?.every((part) => typeof part === 'string')) {
    throw new Error(`context "${key}" must be a comma-separated list (given ${JSON.stringify(value)})`);
  }
  const list = parts.map((part) => part.trim()).filter((part) => part.length > 0);
  return list.length === 0 ? undefined : list;
}

function optionalBoolean(context: ContextReader, key: string): boolean | undefined {
  const value = context(key);
  if (value === undefined || value === '') return undefined;
  if (value === true || value === 'true') return true;
  if (value === false || value === 'false') return false;
  throw new Error(`context "${key}" must be true or false (given ${JSON.stringify(value)})`);
}

function optionalInteger(context: ContextReader, key: string): number | undefined {
  const value = context(key);
  if (value === undefined || value === '') return undefined;
  const number = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : Number.NaN;
  if (!Number.isInteger(number)) throw new Error(`context "${key}" must be a whole number (given ${JSON.stringify(value)})`);
  return number;
}

/** Days as CloudWatch Logs accepts them (1, 3, 5, 7, 14, 30, 60, 90, …, 3653). */
function optionalRetention(context: ContextReader, key: string): RetentionDays | undefined {
  const days = optionalInteger(context, key);
  if (days === undefined) return undefined;
  const allowed = Object.values(RetentionDays).filter((value): value is number => typeof value === 'number' && value > 0);
  if (!allowed.includes(days)) {
    throw new Error(`context "${key}" must be one of ${allowed.sort((a, b) => a - b).join(', ')} (given ${days})`);
  }
  return days as RetentionDays;
}
