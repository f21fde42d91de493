import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CfnResource, type ITaggable, TagManager } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { AtlasKeyWorkerStack } from '../../infra/atlas-key-worker-stack.ts';
import { readStackSettings } from '../../infra/stack-settings.ts';
import { parsePolicy } from '../../lambda/policy/parse-policy.ts';
import { ACCOUNT, asArray, environmentOf, iamStatements, REGION, SECRET_ARN, testApp } from './helpers.ts';
import { templateDiff } from './template-diff.ts';

const ORG_A = '5f0000000000000000000001';
const ORG_B = '5f0000000000000000000002';
const DEPLOYABLE = { secretArn: SECRET_ARN, orgIds: ORG_A, alarmEmail: 'secops@example.com' };

/** GIVEN the context of `cdk synth -c key=value …` WHEN the app's stack is built. */
function synthStack(context: Record<string, string> = {}) {
  const stack = new AtlasKeyWorkerStack(testApp(), 'AtlasKeyWorker', {
    settings: readStackSettings((key) => context[key]),
  });
  return { stack, template: Template.fromStack(stack) };
}

function policyFile(content: unknown): string {
  const file = join(mkdtempSync(join(tmpdir(), 'akw-')), 'policy.json');
  writeFileSync(file, JSON.stringify(content));
  return file;
}

const keyPolicyOf = (template: Template) => parsePolicy(environmentOf(template).KEY_POLICY);

describe('AtlasKeyWorkerStack', () => {
  describe('with no context at all (npm run synth)', () => {
    it('synthesizes offline, but declares what a deployment cannot do without as required parameters', () => {
      const { stack, template } = synthStack();
      const parameters = template.toJSON().Parameters as Record<string, Record<string, unknown>>;
      expect(parameters.AtlasCredentialsArn).toMatchObject({ Type: 'String', AllowedPattern: expect.any(String) });
      expect(parameters.AlarmEmail).toMatchObject({ Type: 'String', AllowedPattern: expect.any(String) });
      expect(parameters.AtlasCredentialsArn).not.toHaveProperty('Default');
      expect(parameters.AlarmEmail).not.toHaveProperty('Default');
      expect(environmentOf(template).ATLAS_SECRET_ID).toEqual({ Ref: 'AtlasCredentialsArn' });
      template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: { Ref: 'AlarmEmail' } });
      const warnings = Annotations.fromStack(stack);
      warnings.hasWarning('/AtlasKeyWorker', Match.stringLikeRegexp('placeholder org'));
      warnings.hasWarning('/AtlasKeyWorker', Match.stringLikeRegexp('neither alarmEmail nor alarmTopicArn'));
      expect(keyPolicyOf(template).dryRun).toBe(true);
    });
  });

  describe('with a secret ARN, orgs and an alarm e-mail', () => {
    it('passes the complete ARN and grants exactly it, with no parameter', () => {
      const { template } = synthStack(DEPLOYABLE);
      expect(template.toJSON().Parameters).not.toHaveProperty('AtlasCredentialsArn');
      expect(template.toJSON().Parameters).not.toHaveProperty('AlarmEmail');
      expect(environmentOf(template).ATLAS_SECRET_ID).toBe(SECRET_ARN);
      const reads = iamStatements(template).filter((statement) => asArray(statement.Action as string[]).includes('secretsmanager:GetSecretValue'));
      expect(reads.map((statement) => statement.Resource)).toEqual([SECRET_ARN, SECRET_ARN]);
    });

    it('keeps the alarm topic at stack level with its old id, so that a confirmed subscription survives', () => {
      const { template } = synthStack(DEPLOYABLE);
      const topics = Object.keys(template.findResources('AWS::SNS::Topic'));
      expect(topics).toEqual([expect.stringMatching(/^AlarmTopic[0-9A-F]{8}$/)]);
      template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'secops@example.com' });
    });

    it('outputs the lanes, the functions, the state table, the dashboard, the topic and the dry-run state', () => {
      const { template } = synthStack(DEPLOYABLE);
      expect(Object.keys(template.findOutputs('*')).sort()).toEqual(
        ['AlarmTopicArn', 'DashboardName', 'DryRun', 'FunctionName', 'StateTableName', 'UrgentFunctionName', 'UrgentQueueUrl', 'WorkQueueUrl'],
      );
      template.hasOutput('DryRun', { Value: 'true' });
    });
  });

  describe('going live', () => {
    it('changes only the policy’s dryRun and the DryRun output: every alarm and its action stay', () => {
      const dry = synthStack(DEPLOYABLE).template;
      const live = synthStack({ ...DEPLOYABLE, dryRun: 'false' }).template;
      expect(keyPolicyOf(live).dryRun).toBe(false);
      const changed = templateDiff(dry.toJSON(), live.toJSON());
      expect(changed.every((path) => /Environment\.Variables\.KEY_POLICY$|^Outputs\.DryRun\.Value$/.test(path))).toBe(true);
      expect(changed).toHaveLength(3);
      expect(live.findResources('AWS::CloudWatch::Alarm')).toEqual(dry.findResources('AWS::CloudWatch::Alarm'));
    });

    it('lets a policy file with "dryRun": false go live (no cdk.json default overrides it)', () => {
      const { template } = synthStack({ ...DEPLOYABLE, orgIds: '', policyFile: policyFile({ orgs: [{ orgId: ORG_A }], dryRun: false }) });
      expect(keyPolicyOf(template).dryRun).toBe(false);
    });

    it('gives the same template through a policy file with "dryRun": false as through -c dryRun=false', () => {
      const viaFile = synthStack({ ...DEPLOYABLE, orgIds: '', policyFile: policyFile({ orgs: [{ orgId: ORG_A }], dryRun: false }) });
      const viaContext = synthStack({ ...DEPLOYABLE, dryRun: 'false' });
      expect(templateDiff(viaFile.template.toJSON(), viaContext.template.toJSON())).toEqual([]);
    });

    it('lets -c dryRun=true hold a live policy file back', () => {
      const { template } = synthStack({
        ...DEPLOYABLE,
        policyFile: policyFile({ orgs: [{ orgId: ORG_A }], dryRun: false }),
        dryRun: 'true',
      });
      expect(keyPolicyOf(template).dryRun).toBe(true);
    });
  });

  describe('options', () => {
    it('notifies an existing topic given by ARN, creating none', () => {
      const topicArn = `arn:aws:sns:${REGION}:${ACCOUNT}:secops-pager`;
      const { template } = synthStack({ ...DEPLOYABLE, alarmEmail: '', alarmTopicArn: topicArn });
      template.resourceCountIs('AWS::SNS::Topic', 0);
      for (const alarm of Object.values(template.findResources('AWS::CloudWatch::Alarm'))) {
        expect(alarm.Properties.AlarmActions).toEqual([topicArn]);
      }
    });

    it('deploys without alarms only when -c alarms=false says so', () => {
      const { template } = synthStack({ ...DEPLOYABLE, alarmEmail: '', alarms: 'false' });
      template.resourceCountIs('AWS::CloudWatch::Alarm', 0);
      expect(template.toJSON().Parameters).not.toHaveProperty('AlarmEmail');
    });

    it('forwards revocations from the given sources, and has no revocation rule without them', () => {
      const withRule = synthStack({ ...DEPLOYABLE, revocationSources: 'com.example.scanner' }).template;
      withRule.hasResourceProperties('AWS::Events::Rule', {
        EventPattern: Match.objectLike({ source: ['com.example.scanner'] }),
      });
      const without = synthStack(DEPLOYABLE).template;
      expect(Object.keys(without.findResources('AWS::Events::Rule', { Properties: { EventPattern: Match.anyValue() } }))).toEqual([]);
    });

    it('grants kms:Decrypt on the key given by ARN', () => {
      const keyArn = `arn:aws:kms:${REGION}:${ACCOUNT}:key/11111111-2222-3333-4444-555555555555`;
      const { template } = synthStack({ ...DEPLOYABLE, secretKmsKeyArn: keyArn });
      expect(iamStatements(template).filter((statement) => statement.Resource === keyArn)).toHaveLength(2);
    });

    it('adds static egress, outputting the egress IPs', () => {
      const one = synthStack({ ...DEPLOYABLE, staticEgress: 'true' });
      one.template.resourceCountIs('AWS::EC2::NatGateway', 1);
      one.template.hasOutput('EgressIps', { Value: one.stack.resolve(one.stack.worker.egressIps[0]) });
      const two = synthStack({ ...DEPLOYABLE, staticEgress: 'true', natGatewayPerAz: 'true' });
      two.template.resourceCountIs('AWS::EC2::NatGateway', 2);
      two.template.hasOutput('EgressIps', { Value: { 'Fn::Join': [',', two.stack.resolve([...two.stack.worker.egressIps])] } });
    });

    it('rotates the worker’s own secret for its one org with -c rotateOwnSecret=true', () => {
      const { template } = synthStack({ ...DEPLOYABLE, rotateOwnSecret: 'true' });
      template.resourceCountIs('AWS::SecretsManager::RotationSchedule', 1);
      template.hasResourceProperties('AWS::SecretsManager::RotationSchedule', {
        SecretId: SECRET_ARN,
        RotationRules: { ScheduleExpression: 'rate(30 days)' },
      });
      expect(JSON.parse(environmentOf(template).ROTATION_CONFIG as string)).toEqual({
        secrets: [{ secretId: SECRET_ARN, orgId: ORG_A, graceDays: 7 }],
      });
    });

    it('rotates each org’s own secret too, and needs rotationOrgId when several orgs share the worker’s', () => {
      const ownArn = `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:cfn/atlas/profile/b-Zz9Yy8`;
      const file = policyFile({ orgs: [{ orgId: ORG_A }, { orgId: ORG_B, secretId: ownArn }] });
      const { template } = synthStack({ ...DEPLOYABLE, policyFile: file, rotateOwnSecret: 'true', rotationEveryDays: '14' });
      expect(JSON.parse(environmentOf(template).ROTATION_CONFIG as string).secrets).toEqual([
        { secretId: SECRET_ARN, orgId: ORG_A, graceDays: 7 },
        { secretId: ownArn, orgId: ORG_B, graceDays: 7 },
      ]);
      expect(() => synthStack({ ...DEPLOYABLE, orgIds: `${ORG_A},${ORG_B}`, rotateOwnSecret: 'true' })).toThrow(
        /context "rotationOrgId" is required with rotateOwnSecret: 2 policy orgs use the worker's secret/,
      );
    });

    it('tags every taggable resource, the stack’s own topic included, with app and the context’s tags', () => {
      const { stack } = synthStack({ ...DEPLOYABLE, staticEgress: 'true', tags: 'team=secops,env=prod' });
      const taggable = stack.node
        .findAll()
        .filter((construct) => CfnResource.isCfnResource(construct) && TagManager.isTaggable(construct));
      const types = new Set(taggable.map((resource) => (resource as CfnResource).cfnResourceType));
      for (const type of ['AWS::Lambda::Function', 'AWS::SQS::Queue', 'AWS::DynamoDB::Table', 'AWS::SNS::Topic', 'AWS::EC2::EIP', 'AWS::Logs::LogGroup', 'AWS::IAM::Role']) {
        expect(types).toContain(type);
      }
      for (const resource of taggable) {
        expect((resource as unknown as ITaggable).tags.tagValues(), resource.node.path).toMatchObject({
          app: 'atlas-key-worker',
          team: 'secops',
          env: 'prod',
        });
      }
    });
  });

  describe('failures', () => {
    it('fails if the policy file has a bad field, naming the file and the field', () => {
      expect(() => synthStack({ policyFile: policyFile({ orgs: [{ orgId: 'ABC' }] }) })).toThrow(
        /policy\.json: orgs\.0\.orgId/,
      );
    });

    it('fails if the policy file cannot be read', () => {
      expect(() => synthStack({ policyFile: '/nonexistent/policy.json' })).toThrow(
        /context "policyFile": cannot read \/nonexistent\/policy\.json/,
      );
    });

    it('fails if the context gives no org', () => {
      expect(() => synthStack({ orgIds: ',' })).toThrow(/policy: orgs must list at least one organization/);
    });
  });
});
