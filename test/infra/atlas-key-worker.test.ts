import type { Stack } from 'aws-cdk-lib';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { Schedule } from 'aws-cdk-lib/aws-events';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Runtime } from 'aws-cdk-lib/aws-lambda';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { beforeAll, describe, expect, it } from 'vitest';
import type { AtlasKeyWorker } from '../../infra/atlas-key-worker.ts';
import { METRIC_NAMES } from '../../lambda/telemetry/metric-names.ts';
import { parsePolicy } from '../../lambda/policy/parse-policy.ts';
import { asArray, iamStatements, ORG_ID, SECRET_ARN, synthWorker, testStack } from './helpers.ts';

describe('AtlasKeyWorker', () => {
  // GIVEN a worker with default props, built once for the file
  let stack: Stack;
  let worker: AtlasKeyWorker;
  let template: Template;
  beforeAll(() => {
    ({ stack, worker, template } = synthWorker());
  });
  const ref = (value: string) => stack.resolve(value);

  describe('function', () => {
    it('runs on the newest Node.js runtime of this aws-cdk-lib, on ARM64', () => {
      const newest = Object.keys(Runtime)
        .map((name) => /^NODEJS_(\d+)_X$/.exec(name))
        .filter((match) => match !== null)
        .sort((a, b) => Number(b[1]) - Number(a[1]))[0];
      // THEN
      template.hasResourceProperties('AWS::Lambda::Function', {
        Runtime: `nodejs${newest?.[1]}.x`,
        Architectures: ['arm64'],
        Handler: 'index.handler',
        Timeout: 900,
        MemorySize: 512,
        ReservedConcurrentExecutions: 3,
      });
    });

    it('lets a sweep continue itself through its own queue beyond Lambda’s recursive-loop limit', () => {
      template.hasResourceProperties('AWS::Lambda::Function', { RecursiveLoop: 'Allow' });
    });

    it('carries the secret, the policy, the queue and the Powertools settings in its environment', () => {
      template.hasResourceProperties('AWS::Lambda::Function', {
        Environment: {
          Variables: {
            ATLAS_SECRET_ID: SECRET_ARN,
            KEY_POLICY: Match.anyValue(),
            WORK_QUEUE_URL: ref(worker.workQueue.queueUrl),
            POWERTOOLS_SERVICE_NAME: 'atlas-key-worker',
            POWERTOOLS_METRICS_NAMESPACE: 'AtlasKeyWorker',
            POWERTOOLS_LOG_LEVEL: 'INFO',
            NODE_OPTIONS: '--enable-source-maps',
          },
        },
      });
    });

    it('passes a policy that parses back, with dryRun true by default', () => {
      const policy = parsePolicy(keyPolicyOf(template));
      expect(policy.dryRun).toBe(true);
      expect(policy.orgs).toEqual([{ orgId: ORG_ID }]);
      expect(policy.deleteAfterIdleDays).toBe(180);
    });

    it('folds the dryRun prop into the policy, over the policy’s own', () => {
      // WHEN
      const { template: live } = synthWorker({ dryRun: false, policy: { orgs: [{ orgId: ORG_ID }], dryRun: true } });
      // THEN
      expect(parsePolicy(keyPolicyOf(live)).dryRun).toBe(false);
    });

    it('writes to a log group with three months of retention', () => {
      template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 90 });
      template.hasResourceProperties('AWS::Lambda::Function', {
        LoggingConfig: { LogGroup: ref(worker.logGroup.logGroupName) },
      });
    });

    it('sends failed asynchronous invocations to the failed-invocations queue after two retries', () => {
      template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
        MaximumRetryAttempts: 2,
        DestinationConfig: { OnFailure: { Destination: ref(worker.failedInvocationsQueue.queueArn) } },
      });
    });
  });

  describe('queues', () => {
    it('consumes the work queue with partial batch responses', () => {
      template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
        EventSourceArn: ref(worker.workQueue.queueArn),
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        BatchSize: 1,
        ScalingConfig: { MaximumConcurrency: 2 },
      });
    });

    it('redrives the work queue to the DLQ after 3 receives, encrypted, visible again after 6 × the timeout', () => {
      template.hasResourceProperties('AWS::SQS::Queue', {
        RedrivePolicy: { deadLetterTargetArn: ref(worker.deadLetterQueue.queueArn), maxReceiveCount: 3 },
        SqsManagedSseEnabled: true,
        VisibilityTimeout: 5400,
      });
    });

    it('keeps dead letters 14 days, encrypted', () => {
      const dlqId = stack.resolve(worker.deadLetterQueue.queueUrl).Ref as string;
      expect(template.findResources('AWS::SQS::Queue')[dlqId]?.Properties).toMatchObject({
        MessageRetentionPeriod: 1_209_600,
        SqsManagedSseEnabled: true,
      });
    });

    it('denies every request without TLS, on every queue', () => {
      const queues = Object.keys(template.findResources('AWS::SQS::Queue'));
      const policies = Object.values(template.findResources('AWS::SQS::QueuePolicy'));
      expect(queues).toHaveLength(3);
      const protectedQueues = policies
        .filter((policy) =>
          asArray(policy.Properties.PolicyDocument.Statement).some(
            (statement: Record<string, unknown>) =>
              statement.Effect === 'Deny' &&
              JSON.stringify(statement.Condition) === JSON.stringify({ Bool: { 'aws:SecureTransport': 'false' } }),
          ),
        )
        .flatMap((policy) => asArray(policy.Properties.Queues).map((queue) => (queue as { Ref: string }).Ref));
      expect(protectedQueues.sort()).toEqual(queues.sort());
    });
  });

  describe('permissions', () => {
    it('may read exactly the one secret: GetSecretValue on its ARN, never on *', () => {
      const secretStatements = iamStatements(template).filter((statement) =>
        asArray(statement.Action as string | string[]).some((action) => action.startsWith('secretsmanager:')),
      );
      expect(secretStatements).toHaveLength(1);
      expect(asArray(secretStatements[0]?.Action as string[])).toContain('secretsmanager:GetSecretValue');
      expect(secretStatements[0]?.Resource).toBe(SECRET_ARN);
    });

    it('may send to its own work queue and its failed-invocations queue, and nowhere else', () => {
      const targets = iamStatements(template)
        .filter((statement) => asArray(statement.Action as string | string[]).includes('sqs:SendMessage'))
        .map((statement) => statement.Resource);
      expect(targets).toEqual(
        expect.arrayContaining([ref(worker.workQueue.queueArn), ref(worker.failedInvocationsQueue.queueArn)]),
      );
      expect(targets).toHaveLength(2);
    });

    it('grants kms:Decrypt on the secret’s key through Secrets Manager only, when a key is given', () => {
      // GIVEN
      const keyStack = testStack();
      const keyArn = 'arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555';
      // WHEN
      const { template: withKey } = synthWorker({ secretKmsKey: Key.fromKeyArn(keyStack, 'Key', keyArn) }, keyStack);
      // THEN
      const decrypt = iamStatements(withKey).find((statement) => statement.Action === 'kms:Decrypt');
      expect(decrypt?.Resource).toBe(keyArn);
      expect(JSON.stringify(decrypt?.Condition)).toContain('kms:ViaService');
    });
  });

  describe('events', () => {
    it('sweeps daily at 03:00 UTC by default, retrying delivery and keeping undeliverable events', () => {
      template.hasResourceProperties('AWS::Events::Rule', {
        ScheduleExpression: 'cron(0 3 * * ? *)',
        Targets: [
          Match.objectLike({
            Arn: ref(worker.workerFunction.functionArn),
            RetryPolicy: { MaximumRetryAttempts: 3 },
            DeadLetterConfig: { Arn: ref(worker.failedInvocationsQueue.queueArn) },
          }),
        ],
      });
    });

    it('creates one rule per schedule', () => {
      // WHEN
      const { template: two } = synthWorker({
        schedules: [Schedule.expression('cron(0 3 * * ? *)'), Schedule.expression('rate(6 hours)')],
      });
      // THEN
      two.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(6 hours)' });
      expect(Object.keys(two.findResources('AWS::Events::Rule', { Properties: { ScheduleExpression: Match.anyValue() } })))
        .toHaveLength(2);
    });

    it('forwards revocation requests, whole and unchanged, from the default bus to the work queue', () => {
      template.hasResourceProperties('AWS::Events::Rule', {
        EventBusName: Match.absent(),
        EventPattern: { 'detail-type': ['Atlas API Key Revocation Requested'] },
        Targets: [
          {
            Id: Match.anyValue(),
            Arn: ref(worker.workQueue.queueArn),
            Input: Match.absent(),
            InputPath: Match.absent(),
            InputTransformer: Match.absent(),
            RetryPolicy: { MaximumRetryAttempts: 3 },
            DeadLetterConfig: { Arn: ref(worker.failedInvocationsQueue.queueArn) },
          },
        ],
      });
    });

    it('lets EventBridge send to the work queue, from the revocation rule only', () => {
      template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [ref(worker.workQueue.queueUrl)],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Effect: 'Allow',
              Principal: { Service: 'events.amazonaws.com' },
              Condition: { ArnEquals: { 'aws:SourceArn': ref(worker.revocationRule.ruleArn) } },
            }),
          ]),
        },
      });
    });
  });

  describe('alarms and dashboard', () => {
    it('alarms when anything is in the dead-letter queue', () => {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Dimensions: [{ Name: 'QueueName', Value: ref(worker.deadLetterQueue.queueName) }],
        ComparisonOperator: 'GreaterThanThreshold',
        Threshold: 0,
      });
    });

    it('alarms when anything is in the failed-invocations queue', () => {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Dimensions: [{ Name: 'QueueName', Value: ref(worker.failedInvocationsQueue.queueName) }],
        Threshold: 0,
      });
    });

    it.each(['Errors', 'Throttles'])('alarms on one function %s', (metricName) => {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/Lambda',
        MetricName: metricName,
        Dimensions: [{ Name: 'FunctionName', Value: ref(worker.workerFunction.functionName) }],
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        Threshold: 1,
      });
    });

    it('alarms on one safety-cap trip, in the worker’s namespace and service dimension', () => {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AtlasKeyWorker',
        MetricName: 'SafetyCapTrips',
        Dimensions: [{ Name: 'service', Value: 'atlas-key-worker' }],
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        Threshold: 1,
        AlarmActions: Match.absent(),
      });
    });

    it('notifies the alarm topic from every alarm, when one is given', () => {
      // GIVEN
      const topicStack = testStack();
      const topic = new Topic(topicStack, 'AlarmTopic');
      // WHEN
      const { template: alarmed } = synthWorker({ alarmTopic: topic }, topicStack);
      // THEN
      const alarms = Object.values(alarmed.findResources('AWS::CloudWatch::Alarm'));
      expect(alarms).toHaveLength(5);
      for (const alarm of alarms) expect(alarm.Properties.AlarmActions).toEqual([topicStack.resolve(topic.topicArn)]);
    });

    it('shows every worker metric on the dashboard, in the worker’s namespace', () => {
      const dashboards = Object.values(template.findResources('AWS::CloudWatch::Dashboard'));
      expect(dashboards).toHaveLength(1);
      const body = JSON.stringify(dashboards[0]?.Properties.DashboardBody);
      for (const name of Object.values(METRIC_NAMES)) {
        expect(body).toContain(`\\"AtlasKeyWorker\\",\\"${name}\\",\\"service\\",\\"atlas-key-worker\\"`);
      }
      expect(body).toContain('AWS/Lambda');
      expect(body).toContain('ApproximateAgeOfOldestMessage');
    });
  });
});

function keyPolicyOf(template: Template): string {
  const fn = Object.values(template.findResources('AWS::Lambda::Function'))[0];
  return fn?.Properties.Environment.Variables.KEY_POLICY as string;
}
