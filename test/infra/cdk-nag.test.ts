import { Validations } from 'aws-cdk-lib';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { AtlasKeyWorkerStack } from '../../infra/atlas-key-worker-stack.ts';
import type { StackSettings } from '../../infra/stack-settings.ts';
import { testApp } from './helpers.ts';

const settings: StackSettings = {
  secret: { kind: 'name', name: 'atlas-key-worker/credentials' },
  orgIds: ['5f0000000000000000000001'],
  staticEgress: false,
};

/** GIVEN the app as `infra/app.ts` builds it: the stack, with AwsSolutions registered as a validation plugin. */
function nagApp(overrides: Partial<StackSettings> = {}) {
  const app = testApp();
  const stack = new AtlasKeyWorkerStack(app, 'AtlasKeyWorker', { settings: { ...settings, ...overrides } });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, stack };
}

/** Unacknowledged findings, as `rule at path` lines, so that a failure says what to fix. */
function findings(scope: Parameters<AwsSolutionsChecks['validateScope']>[0]): string[] {
  return new AwsSolutionsChecks()
    .validateScope(scope)
    .violations.flatMap((violation) =>
      violation.violatingResources.map((resource) => `${violation.ruleName} at ${resource.constructPath}`),
    );
}

describe('cdk-nag AwsSolutions', () => {
  it.each([
    ['the defaults', {}],
    ['static egress and an alarm e-mail', { staticEgress: true, alarmEmail: 'ops@example.com' }],
  ])('finds nothing unacknowledged with %s, and synthesis passes the plugin', (_name, overrides) => {
    // GIVEN
    const { app } = nagApp(overrides);
    // WHEN / THEN
    expect(findings(app)).toEqual([]);
    expect(() => app.synth()).not.toThrow();
  });

  it('fails synthesis on an unacknowledged finding (the check is live)', () => {
    // GIVEN a queue without a DLQ, encryption or TLS policy
    const { app, stack } = nagApp();
    new Queue(stack, 'Careless');
    // WHEN / THEN
    expect(findings(app)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^AwsSolutions-SQS3 at AtlasKeyWorker\/Careless/)]),
    );
    expect(() => app.synth()).toThrow(/AwsSolutions-SQS4/);
  });

  it('acknowledges every accepted finding with a reason', () => {
    // GIVEN
    const { stack } = nagApp({ staticEgress: true, alarmEmail: 'ops@example.com' });
    // WHEN
    const acknowledgements = stack.node
      .findAll()
      .flatMap((construct) => construct.node.metadata)
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) => Object.entries(entry.data as Record<string, string>))
      .map(([id, reason]) => [id.replace(/^annotation::/i, ''), reason] as const)
      .filter(([id]) => id.startsWith('AwsSolutions-'));
    // THEN
    expect(acknowledgements.map(([id]) => id).sort()).toEqual([
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole]',
      'AwsSolutions-SNS2',
      'AwsSolutions-SQS3',
    ]);
    for (const [, reason] of acknowledgements) expect(reason.length).toBeGreaterThan(80);
  });
});
