import { Duration, type Stack } from 'aws-cdk-lib';
import type { Template } from 'aws-cdk-lib/assertions';
import { Key } from 'aws-cdk-lib/aws-kms';
import { type ISecret, Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { beforeAll, describe, expect, it } from 'vitest';
import type { AtlasKeyWorker } from '../../infra/atlas-key-worker.ts';
import type { RotationOptions } from '../../infra/rotation-config.ts';
import { SECRET_ROTATION_ACTIONS } from '../../infra/worker-permissions.ts';
import { parseRotationConfig } from '../../lambda/rotation/rotation-config.ts';
import { ACCOUNT, asArray, environmentOf, iamStatements, ORG_ID, REGION, synthWorker, testStack } from './helpers.ts';

const ORG_B = '5f0000000000000000000002';
const APP_SECRET = `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:apps/billing-Qq1Ww2`;
const PROFILE_SECRET = `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:cfn/atlas/profile/default-Ee3Rr4`;

describe('AtlasKeyWorker: rotation', () => {
  let stack: Stack;
  let worker: AtlasKeyWorker;
  let template: Template;
  beforeAll(() => {
    stack = testStack();
    ({ worker, template } = synthWorker(
      {
        policy: { orgs: [{ orgId: ORG_ID }, { orgId: ORG_B }] },
        rotation: {
          secrets: [
            { secret: Secret.fromSecretCompleteArn(stack, 'App', APP_SECRET), orgId: ORG_ID, graceDays: 3 },
            { secret: Secret.fromSecretCompleteArn(stack, 'Profile', PROFILE_SECRET), orgId: ORG_B, secretExpiresAfterHours: 720 },
          ],
          every: Duration.days(30),
        },
      },
      stack,
    ));
  });
  const fnArn = () => stack.resolve(worker.workerFunction.functionArn);

  it('schedules each secret’s rotation with the worker function, without rotating at deploy time', () => {
    const schedules = Object.values(template.findResources('AWS::SecretsManager::RotationSchedule'));
    expect(schedules.map((schedule) => schedule.Properties)).toEqual([
      { SecretId: APP_SECRET, RotationLambdaARN: fnArn(), RotationRules: { ScheduleExpression: 'rate(30 days)' }, RotateImmediatelyOnUpdate: false },
      { SecretId: PROFILE_SECRET, RotationLambdaARN: fnArn(), RotationRules: { ScheduleExpression: 'rate(30 days)' }, RotateImmediatelyOnUpdate: false },
    ]);
  });

  it('lets Secrets Manager invoke the function for exactly those secrets, from this account', () => {
    const permissions = Object.values(template.findResources('AWS::Lambda::Permission'))
      .map((permission) => permission.Properties)
      .filter((properties) => properties.Principal === 'secretsmanager.amazonaws.com');
    expect(permissions).toEqual([
      { Action: 'lambda:InvokeFunction', FunctionName: fnArn(), Principal: 'secretsmanager.amazonaws.com', SourceArn: APP_SECRET, SourceAccount: { Ref: 'AWS::AccountId' } },
      { Action: 'lambda:InvokeFunction', FunctionName: fnArn(), Principal: 'secretsmanager.amazonaws.com', SourceArn: PROFILE_SECRET, SourceAccount: { Ref: 'AWS::AccountId' } },
    ]);
  });

  it('creates each schedule after its permission and the function (whose role policy holds the grants)', () => {
    const resources = template.toJSON().Resources as Record<string, { Type: string; DependsOn?: string[] }>;
    const fnId = stack.getLogicalId(worker.workerFunction.node.defaultChild as never);
    const permissionIds = Object.entries(resources)
      .filter(([, resource]) => resource.Type === 'AWS::Lambda::Permission')
      .map(([id]) => id);
    for (const [, schedule] of Object.entries(resources).filter(([, r]) => r.Type === 'AWS::SecretsManager::RotationSchedule')) {
      expect(schedule.DependsOn).toContain(fnId);
      expect(schedule.DependsOn?.some((id) => permissionIds.includes(id))).toBe(true);
    }
  });

  it('grants the four protocol actions on exactly those secrets, to the worker only, and no GetRandomPassword', () => {
    const rotating = iamStatements(template).filter((statement) =>
      asArray(statement.Action as string[]).includes('secretsmanager:PutSecretValue'),
    );
    expect(rotating).toHaveLength(1);
    expect(rotating[0]?.Action).toEqual([...SECRET_ROTATION_ACTIONS]);
    expect(rotating[0]?.Resource).toEqual([APP_SECRET, PROFILE_SECRET]);
    expect(JSON.stringify(iamStatements(template))).not.toContain('GetRandomPassword');
  });

  it('tells the function which secrets it rotates, for which org, with which grace, as its runtime reads it', () => {
    const config = environmentOf(template).ROTATION_CONFIG as string;
    expect(JSON.parse(config)).toEqual({
      secrets: [
        { secretId: APP_SECRET, orgId: ORG_ID, graceDays: 3 },
        { secretId: PROFILE_SECRET, orgId: ORG_B, graceDays: 7, secretExpiresAfterHours: 720 },
      ],
    });
    expect(parseRotationConfig(config).secrets.map((target) => target.secretId)).toEqual([APP_SECRET, PROFILE_SECRET]);
  });

  it('alarms on one failed rotation step', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'RotationsFailed',
      Namespace: 'AtlasKeyWorker',
      Statistic: 'Sum',
      Period: 300,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
  });

  it('lets the function use a rotated secret’s own key through Secrets Manager, to read and write versions', () => {
    const keyStack = testStack();
    const key = new Key(keyStack, 'AppKey');
    // aws-cdk-lib's `Secret` has optional `string | undefined` members, which exactOptionalPropertyTypes rejects.
    const secret = new Secret(keyStack, 'AppSecret', { encryptionKey: key }) as ISecret;
    const { template: withKey } = synthWorker({ rotation: { secrets: [{ secret, orgId: ORG_ID }], every: Duration.days(7) } }, keyStack);
    const keyArn = keyStack.resolve(key.keyArn);
    const grants = iamStatements(withKey).filter((statement) => JSON.stringify(statement.Resource) === JSON.stringify(keyArn));
    expect(grants.map((grant) => grant.Action)).toEqual([['kms:Decrypt', 'kms:GenerateDataKey']]);
    expect(JSON.stringify(grants[0]?.Condition)).toContain('kms:ViaService');
  });

  describe('validation', () => {
    const rotate = (rotation: RotationOptions, stack2: Stack) => synthWorker({ rotation }, stack2);

    it.each([
      ['a secret imported by name', (s: Stack) => ({ secrets: [{ secret: Secret.fromSecretNameV2(s, 'N', 'apps/billing'), orgId: ORG_ID }], every: Duration.days(30) }), /rotation\.secrets\.0\.secret has no complete ARN/],
      ['an org outside the policy', (s: Stack) => ({ secrets: [{ secret: Secret.fromSecretCompleteArn(s, 'A', APP_SECRET), orgId: ORG_B }], every: Duration.days(30) }), /rotation\.secrets\.0\.orgId must be one of the policy's orgs/],
      ['a secret lifetime under 8 hours', (s: Stack) => ({ secrets: [{ secret: Secret.fromSecretCompleteArn(s, 'A', APP_SECRET), orgId: ORG_ID, secretExpiresAfterHours: 4 }], every: Duration.days(30) }), 'rotation.secrets.0.secretExpiresAfterHours must be a whole number between 8 and 8760 inclusive (given 4)'],
      ['a grace of 0 days', (s: Stack) => ({ secrets: [{ secret: Secret.fromSecretCompleteArn(s, 'A', APP_SECRET), orgId: ORG_ID, graceDays: 0 }], every: Duration.days(30) }), 'rotation.secrets.0.graceDays must be a whole number between 1 and 365 inclusive (given 0)'],
      ['a period in hours', (s: Stack) => ({ secrets: [{ secret: Secret.fromSecretCompleteArn(s, 'A', APP_SECRET), orgId: ORG_ID }], every: Duration.hours(36) }), 'rotation.every must be whole days between 1 and 1000 inclusive (given 1 day 12 hours)'],
      ['the same secret twice', (s: Stack) => ({ secrets: [{ secret: Secret.fromSecretCompleteArn(s, 'A', APP_SECRET), orgId: ORG_ID }, { secret: Secret.fromSecretCompleteArn(s, 'B', APP_SECRET), orgId: ORG_ID }], every: Duration.days(30) }), /rotation\.secrets\.1\.secret is listed twice/],
      ['no secret', () => ({ secrets: [], every: Duration.days(30) }), 'rotation.secrets must list at least one secret (given none)'],
    ] as const)('fails with %s, naming the field', (_name, build, message) => {
      const fresh = testStack();
      expect(() => rotate(build(fresh), fresh)).toThrow(message);
    });
  });
});
