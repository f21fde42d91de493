import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { AtlasKeyWorkerStack } from '../../infra/atlas-key-worker-stack.ts';
import type { StackSettings } from '../../infra/stack-settings.ts';
import { parsePolicy } from '../../lambda/policy/parse-policy.ts';
import { testApp } from './helpers.ts';

const ORG_A = '5f0000000000000000000001';
const baseSettings: StackSettings = {
  secret: { kind: 'name', name: 'atlas-key-worker/credentials' },
  orgIds: [ORG_A],
  staticEgress: false,
};

function synthStack(settings: Partial<StackSettings> = {}) {
  const stack = new AtlasKeyWorkerStack(testApp(), 'AtlasKeyWorker', { settings: { ...baseSettings, ...settings } });
  return { stack, template: Template.fromStack(stack) };
}

function keyPolicyOf(template: Template) {
  const fn = Object.values(template.findResources('AWS::Lambda::Function'))[0];
  return parsePolicy(fn?.Properties.Environment.Variables.KEY_POLICY);
}

describe('AtlasKeyWorkerStack', () => {
  describe('with the defaults of cdk.json', () => {
    let template: Template;
    beforeAll(() => {
      ({ template } = synthStack());
    });

    it('builds a dry-run policy of the context’s orgs', () => {
      const policy = keyPolicyOf(template);
      expect(policy.orgs).toEqual([{ orgId: ORG_A }]);
      expect(policy.dryRun).toBe(true);
    });

    it('reads the secret by name, granting GetSecretValue on its ARN pattern only', () => {
      template.hasResourceProperties('AWS::IAM::Policy', {
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Action: Match.arrayWith(['secretsmanager:GetSecretValue']),
              Resource: {
                'Fn::Join': ['', Match.arrayWith([':secret:atlas-key-worker/credentials-??????'])],
              },
            }),
          ]),
        },
      });
    });

    it('creates no alarm topic', () => {
      template.resourceCountIs('AWS::SNS::Topic', 0);
    });

    it('outputs the queue URL, the function name and whether it is a dry run', () => {
      expect(Object.keys(template.findOutputs('*')).sort()).toEqual(['DryRun', 'FunctionName', 'WorkQueueUrl']);
      template.hasOutput('DryRun', { Value: 'true' });
    });
  });

  it('turns the dry run off when the context says so', () => {
    const { template } = synthStack({ dryRun: false });
    expect(keyPolicyOf(template).dryRun).toBe(false);
  });

  it('e-mails every alarm through a TLS-only topic when alarmEmail is given', () => {
    // WHEN
    const { stack, template } = synthStack({ alarmEmail: 'ops@example.com' });
    // THEN
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'ops@example.com' });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
    const topicId = Object.keys(template.findResources('AWS::SNS::Topic'))[0];
    for (const alarm of Object.values(template.findResources('AWS::CloudWatch::Alarm'))) {
      expect(alarm.Properties.AlarmActions).toEqual([{ Ref: topicId }]);
    }
    expect(stack.worker.alarms.all).toHaveLength(5);
  });

  it('adds static egress when the context says so', () => {
    const { template } = synthStack({ staticEgress: true });
    template.resourceCountIs('AWS::EC2::NatGateway', 1);
    expect(Object.keys(template.findOutputs('*'))).toEqual(expect.arrayContaining([expect.stringMatching(/EgressIp/)]));
  });

  it('uses the policy file instead of the context’s orgs', () => {
    // GIVEN
    const file = join(mkdtempSync(join(tmpdir(), 'akw-')), 'policy.json');
    writeFileSync(file, JSON.stringify({ orgs: [{ orgId: '5f0000000000000000000009' }], maxDeletionsPerRun: 7 }));
    // WHEN
    const { template } = synthStack({ policyFile: file });
    // THEN
    const policy = keyPolicyOf(template);
    expect(policy.orgs).toEqual([{ orgId: '5f0000000000000000000009' }]);
    expect(policy.maxDeletionsPerRun).toBe(7);
  });

  it('fails if the policy file has a bad field, naming the file and the field', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'akw-')), 'bad-policy.json');
    writeFileSync(file, JSON.stringify({ orgs: [{ orgId: 'ABC' }] }));
    expect(() => synthStack({ policyFile: file })).toThrow(/bad-policy\.json: orgs\.0\.orgId/);
  });

  it('fails if the policy file cannot be read', () => {
    expect(() => synthStack({ policyFile: '/nonexistent/policy.json' })).toThrow(
      /context "policyFile": cannot read \/nonexistent\/policy\.json/,
    );
  });

  it('fails if the context gives no org', () => {
    expect(() => synthStack({ orgIds: [] })).toThrow(/policy: orgs must list at least one organization/);
  });
});
