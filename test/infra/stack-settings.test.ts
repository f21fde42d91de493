import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { PLACEHOLDER_ORG_ID, readStackSettings } from '../../infra/stack-settings.ts';

const ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:atlas/creds-AbCdEf';
const reader = (values: Record<string, unknown>) => (key: string) => values[key];

describe('readStackSettings', () => {
  it('leaves everything the user did not pass absent, so that nothing overrides what they pass', () => {
    expect(readStackSettings(reader({}))).toEqual({
      orgIds: [PLACEHOLDER_ORG_ID],
      alarms: true,
      staticEgress: false,
      tags: {},
      rotateOwnSecret: false,
    });
  });

  it('has no defaults in cdk.json that could override a -c value', () => {
    const cdkJson = JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')) as {
      context: Record<string, unknown>;
    };
    const settingKeys = Object.keys(cdkJson.context).filter((key) => !key.includes(':') && key !== 'cli-telemetry');
    expect(settingKeys).toEqual([]);
  });

  it('reads -c values, which arrive as strings', () => {
    const settings = readStackSettings(
      reader({
        secretArn: ARN,
        orgIds: ' 5f0000000000000000000001, 5f0000000000000000000002 ,',
        dryRun: 'false',
        staticEgress: 'true',
        natGatewayPerAz: 'true',
        elasticIpAllocationIds: 'eipalloc-0123456789abcdef0,eipalloc-0123456789abcdef1',
        alarmEmail: 'ops@example.com',
        policyFile: 'policy.json',
        revocationSources: 'com.example.scanner, com.example.runbook',
        secretKmsKeyArn: 'arn:aws:kms:eu-west-1:123456789012:key/1111-2222',
        tags: 'team=secops,cost-center=42',
        tracing: 'false',
        logRetentionDays: '731',
        rotateOwnSecret: 'true',
        rotationEveryDays: '30',
        rotationGraceDays: '7',
        rotationOrgId: '5f0000000000000000000001',
      }),
    );
    expect(settings).toEqual({
      secretArn: ARN,
      orgIds: ['5f0000000000000000000001', '5f0000000000000000000002'],
      policyFile: 'policy.json',
      dryRun: false,
      alarms: true,
      alarmEmail: 'ops@example.com',
      staticEgress: true,
      natGatewayPerAz: true,
      elasticIpAllocationIds: ['eipalloc-0123456789abcdef0', 'eipalloc-0123456789abcdef1'],
      secretKmsKeyArn: 'arn:aws:kms:eu-west-1:123456789012:key/1111-2222',
      revocationSources: ['com.example.scanner', 'com.example.runbook'],
      tags: { team: 'secops', 'cost-center': '42' },
      tracing: false,
      logRetention: RetentionDays.TWO_YEARS,
      rotateOwnSecret: true,
      rotationEveryDays: 30,
      rotationGraceDays: 7,
      rotationOrgId: '5f0000000000000000000001',
    });
  });

  it('reads cdk.json-style values: booleans, arrays and objects', () => {
    const settings = readStackSettings(
      reader({ dryRun: false, orgIds: ['5f0000000000000000000001'], tags: { team: 'secops' }, alarms: false }),
    );
    expect(settings).toMatchObject({ dryRun: false, orgIds: ['5f0000000000000000000001'], tags: { team: 'secops' }, alarms: false });
  });

  it('uses no placeholder org when a policy file is given', () => {
    expect(readStackSettings(reader({ policyFile: 'policy.json' })).orgIds).toEqual([]);
  });

  it('fails if secretName is given, saying how to get the complete ARN', () => {
    expect(() => readStackSettings(reader({ secretName: 'atlas-key-worker/credentials' }))).toThrow(
      /context "secretName" is not supported: the function needs the secret's complete ARN; give -c secretArn=\$\(aws secretsmanager describe-secret/,
    );
  });

  it('fails if secretArn is a partial ARN, or lives outside the context’s region', () => {
    expect(() =>
      readStackSettings(reader({ secretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:atlas/creds' })),
    ).toThrow(/context "secretArn" must be a secret's complete ARN, with its 6-character suffix/);
    expect(() => readStackSettings(reader({ secretArn: ARN, region: 'us-east-1' }))).toThrow(
      'context "secretArn" lives in eu-west-1 but the stack deploys to us-east-1',
    );
  });

  it('fails if alarms is false while a destination is given', () => {
    expect(() => readStackSettings(reader({ alarms: 'false', alarmEmail: 'ops@example.com' }))).toThrow(
      'context "alarms" is false, so "alarmEmail" and "alarmTopicArn" must not be given (given one)',
    );
  });

  it.each([
    [{ dryRun: 'yes' }, 'context "dryRun" must be true or false (given "yes")'],
    [{ alarmEmail: 'ops' }, 'context "alarmEmail" must be an email address (given "ops")'],
    [{ alarmTopicArn: 'topic' }, 'context "alarmTopicArn" must be an SNS topic ARN (given "topic")'],
    [{ secretKmsKeyArn: 'alias/aws/secretsmanager' }, 'context "secretKmsKeyArn" must be a KMS key ARN'],
    [{ orgIds: 42 }, 'context "orgIds" must be comma-separated org ids (given 42)'],
    [{ elasticIpAllocationIds: '1.2.3.4' }, 'context "elasticIpAllocationIds" must list eipalloc-… ids (given "1.2.3.4")'],
    [{ logRetentionDays: '100' }, 'context "logRetentionDays" must be one of 1, 3, 5, 7, 14, 30, 60, 90'],
    [{ rotationEveryDays: 'monthly' }, 'context "rotationEveryDays" must be a whole number (given "monthly")'],
    [{ tags: 'team' }, 'context "tags" must be key=value pairs separated by commas (given "team")'],
  ])('fails if %o, naming the key and the value', (values, message) => {
    expect(() => readStackSettings(reader(values))).toThrow(message);
  });
});
