import type { Stack } from 'aws-cdk-lib';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { Schedule } from 'aws-cdk-lib/aws-events';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Runtime } from 'aws-cdk-lib/aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import type { AtlasKeyWorker } from '../../infra/atlas-key-worker.ts';
import { STATE_TABLE_ACTIONS } from '../../infra/state-table.ts';
import { parseWorkerEnv } from '../../lambda/config/env.ts';
import { parsePolicy } from '../../lambda/policy/parse-policy.ts';
import {
  ACCOUNT,
  asArray,
  environmentOf,
  iamStatements,
  ORG_ID,
  REGION,
  REVOCATION_SOURCE,
  SECRET_ARN,
  synthWorker,
  testStack,
} from './helpers.ts';

describe('AtlasKeyWorker', () => {
  // GIVEN a worker with the required props only, built once for the file
  let stack: Stack;
  let worker: AtlasKeyWorker;
  let template: Template;
  beforeAll(() => {
    ({ stack, worker, template } = synthWorker());
  });
  const ref = (value: string) => stack.resolve(value);
  const idOf = (value: string) => (stack.resolve(value) as { Ref: string }).Ref;
  const fnId = () => idOf(worker.workerFunction.functionName);
  const urgentId = () => idOf(worker.urgentFunction.functionName);

  describe('functions', () => {
    it('run on the newest Node.js runtime of this aws-cdk-lib, on ARM64, from one bundle', () => {
      const newest = Object.keys(Runtime)
        .map((name) => /^NODEJS_(\d+)_X$/.exec(name))
        .filter((match) => match !== null)
        .sort((a, b) => Number(b[1]) - Number(a[1]))[0];
      const functions = Object.values(template.findResources('AWS::Lambda::Function'));
      expect(functions).toHaveLength(2);
      for (const fn of functions) {
        expect(fn.Properties).toMatchObject({
          Runtime: `nodejs${newest?.[1]}.x`,
          Architectures: ['arm64'],
          Handler: 'index.handler',
          MemorySize: 512,
          RecursiveLoop: 'Allow',
        });
      }
      expect(functions[0]?.Properties.Code).toEqual(functions[1]?.Properties.Code);
    });

    it('gives the worker 15 minutes and 3 reserved slots, the urgent lane 1 minute and 2', () => {
      template.hasResourceProperties('AWS::Lambda::Function', {
        Description: Match.stringLikeRegexp('sweeps'),
        Timeout: 900,
        ReservedConcurrentExecutions: 3,
      });
      template.hasResourceProperties('AWS::Lambda::Function', {
        Description: Match.stringLikeRegexp('urgent lane'),
        Timeout: 60,
        ReservedConcurrentExecutions: 2,
      });
    });

    it('carry the environment contract: complete secret ARN, policy, both lanes, state table, Powertools', () => {
      const environment = environmentOf(template, fnId());
      expect(environment).toEqual({
        ATLAS_SECRET_ID: SECRET_ARN,
        KEY_POLICY: expect.any(String),
        WORK_QUEUE_URL: ref(worker.workQueue.queueUrl),
        URGENT_QUEUE_URL: ref(worker.urgentQueue.queueUrl),
        STATE_TABLE_NAME: ref(worker.stateTable.tableName),
        POWERTOOLS_SERVICE_NAME: 'atlas-key-worker',
        POWERTOOLS_METRICS_NAMESPACE: 'AtlasKeyWorker',
        POWERTOOLS_LOG_LEVEL: 'INFO',
        POWERTOOLS_TRACE_ENABLED: 'true',
        POWERTOOLS_TRACER_CAPTURE_RESPONSE: 'false',
        NODE_OPTIONS: '--enable-source-maps',
      });
      expect(environmentOf(template, urgentId())).toEqual(environment);
    });

    it('give the runtime an environment its own schema accepts, once CloudFormation fills in the values', () => {
      const deployTime: Record<string, string> = {
        WORK_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/Test-WorkQueue.fifo',
        URGENT_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/Test-UrgentQueue',
        STATE_TABLE_NAME: 'Test-WorkerStateTable-1A2B3C',
      };
      const environment = Object.fromEntries(
        Object.entries(environmentOf(template)).map(([key, value]) => [key, typeof value === 'string' ? value : deployTime[key]]),
      );
      expect(parseWorkerEnv(environment)).toMatchObject({
        ATLAS_SECRET_ID: SECRET_ARN,
        WORK_QUEUE_URL: deployTime.WORK_QUEUE_URL,
        URGENT_QUEUE_URL: deployTime.URGENT_QUEUE_URL,
        STATE_TABLE_NAME: deployTime.STATE_TABLE_NAME,
      });
    });

    it('passes a policy that parses back, with dryRun true by default', () => {
      const policy = parsePolicy(environmentOf(template).KEY_POLICY);
      expect(policy.dryRun).toBe(true);
      expect(policy.orgs).toEqual([{ orgId: ORG_ID }]);
      expect(policy.deleteAfterIdleDays).toBe(180);
    });

    it('folds the dryRun prop into the policy, over the policy’s own', () => {
      const { template: live } = synthWorker({ dryRun: false, policy: { orgs: [{ orgId: ORG_ID }], dryRun: true } });
      expect(parsePolicy(environmentOf(live).KEY_POLICY).dryRun).toBe(false);
    });

    it('traces actively with Powertools Tracer by default, and not at all with tracing: false', () => {
      template.resourcePropertiesCountIs('AWS::Lambda::Function', { TracingConfig: { Mode: 'Active' } }, 2);
      const { template: untraced } = synthWorker({ tracing: false });
      untraced.resourcePropertiesCountIs('AWS::Lambda::Function', { TracingConfig: { Mode: 'Active' } }, 0);
      expect(environmentOf(untraced).POWERTOOLS_TRACE_ENABLED).toBe('false');
      expect(iamStatements(untraced).filter((statement) => JSON.stringify(statement.Action).includes('xray:'))).toEqual([]);
    });

    it('keep the audit log (their log groups) a year by default, configurable', () => {
      template.resourcePropertiesCountIs('AWS::Logs::LogGroup', { RetentionInDays: 365 }, 2);
      template.hasResourceProperties('AWS::Lambda::Function', {
        LoggingConfig: { LogGroup: ref(worker.logGroup.logGroupName) },
      });
      template.hasResourceProperties('AWS::Lambda::Function', {
        LoggingConfig: { LogGroup: ref(worker.urgentLogGroup.logGroupName) },
      });
    });

    it('send failed asynchronous invocations to the failed-invocations queue after two retries', () => {
      template.resourcePropertiesCountIs(
        'AWS::Lambda::EventInvokeConfig',
        {
          MaximumRetryAttempts: 2,
          DestinationConfig: { OnFailure: { Destination: ref(worker.failedInvocationsQueue.queueArn) } },
        },
        2,
      );
    });
  });

  describe('lanes', () => {
    it('makes the work lane FIFO without content-based deduplication, visible again after 6 × the timeout', () => {
      template.hasResourceProperties('AWS::SQS::Queue', {
        FifoQueue: true,
        ContentBasedDeduplication: false,
        VisibilityTimeout: 5400,
        SqsManagedSseEnabled: true,
        RedrivePolicy: { deadLetterTargetArn: ref(worker.deadLetterQueue.queueArn), maxReceiveCount: 3 },
      });
    });

    it('gives the work lane a FIFO dead-letter queue that keeps messages 14 days', () => {
      expect(template.findResources('AWS::SQS::Queue')[idOf(worker.deadLetterQueue.queueUrl)]?.Properties).toMatchObject({
        FifoQueue: true,
        MessageRetentionPeriod: 1_209_600,
        SqsManagedSseEnabled: true,
      });
    });

    it('makes the urgent lane a standard queue with a 2-minute visibility timeout and its own DLQ', () => {
      const queues = template.findResources('AWS::SQS::Queue');
      expect(queues[idOf(worker.urgentQueue.queueUrl)]?.Properties).toMatchObject({
        SqsManagedSseEnabled: true,
        VisibilityTimeout: 120,
        RedrivePolicy: { deadLetterTargetArn: ref(worker.urgentDeadLetterQueue.queueArn), maxReceiveCount: 3 },
      });
      expect(queues[idOf(worker.urgentQueue.queueUrl)]?.Properties.FifoQueue).toBeUndefined();
      expect(queues[idOf(worker.urgentDeadLetterQueue.queueUrl)]?.Properties).toMatchObject({
        MessageRetentionPeriod: 1_209_600,
        SqsManagedSseEnabled: true,
      });
    });

    it('lets a failing revocation reach its DLQ and alarm within 10 minutes, computed from the template', () => {
      // GIVEN the settings as deployed
      const queue = template.findResources('AWS::SQS::Queue')[idOf(worker.urgentQueue.queueUrl)]?.Properties;
      const fn = template.findResources('AWS::Lambda::Function')[urgentId()]?.Properties;
      const visibility = queue?.VisibilityTimeout as number;
      const receives = queue?.RedrivePolicy.maxReceiveCount as number;
      // THEN Lambda accepts the event source (visibility ≥ function timeout) ...
      expect(visibility).toBeGreaterThanOrEqual(fn?.Timeout as number);
      // ... and receives × (long poll + visibility) + final poll + DLQ alarm detection (period + evaluation) ≤ 600
      const dlqAlarmPeriod = 60;
      const worstCase = receives * (20 + visibility) + 20 + 2 * dlqAlarmPeriod;
      expect(worstCase).toBe(worker.urgentLaneTiming.secondsToDeadLetterAlarm);
      expect(worstCase).toBeLessThanOrEqual(600);
    });

    it('consumes each lane with its own function and partial batch responses, without a batching window', () => {
      template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
        FunctionName: ref(worker.workerFunction.functionName),
        EventSourceArn: ref(worker.workQueue.queueArn),
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        BatchSize: 1,
        ScalingConfig: { MaximumConcurrency: 2 },
        MaximumBatchingWindowInSeconds: Match.absent(),
      });
      template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
        FunctionName: ref(worker.urgentFunction.functionName),
        EventSourceArn: ref(worker.urgentQueue.queueArn),
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        BatchSize: 1,
        ScalingConfig: { MaximumConcurrency: 2 },
      });
      template.resourceCountIs('AWS::Lambda::EventSourceMapping', 2);
    });

    it('denies every request without TLS, on every queue', () => {
      const queues = Object.keys(template.findResources('AWS::SQS::Queue'));
      expect(queues).toHaveLength(5);
      const protectedQueues = Object.values(template.findResources('AWS::SQS::QueuePolicy'))
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

  describe('state table', () => {
    it('has string keys pk/sk, TTL on expiresAt, on-demand billing and point-in-time recovery', () => {
      template.hasResourceProperties('AWS::DynamoDB::Table', {
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        AttributeDefinitions: [
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'sk', AttributeType: 'S' },
        ],
        TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      });
    });

    it('is retained when the stack is deleted or the table replaced', () => {
      template.hasResource('AWS::DynamoDB::Table', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    });

    it('grants both functions exactly the item actions the runtime uses, on the table only', () => {
      const tableArn = ref(worker.stateTable.tableArn);
      const statements = iamStatements(template).filter((statement) =>
        asArray(statement.Action as string | string[]).some((action) => action.startsWith('dynamodb:')),
      );
      expect(statements).toHaveLength(2);
      for (const statement of statements) {
        expect([...asArray(statement.Action as string[])].sort()).toEqual([...STATE_TABLE_ACTIONS].sort());
        expect(asArray(statement.Resource)).toEqual([tableArn]);
      }
    });
  });

  describe('permissions', () => {
    const secretStatements = (t: Template) =>
      iamStatements(t).filter((statement) =>
        asArray(statement.Action as string | string[]).some((action) => action.startsWith('secretsmanager:')),
      );

    it('lets each function read exactly the one secret by its complete ARN', () => {
      const statements = secretStatements(template);
      expect(statements).toHaveLength(2);
      for (const statement of statements) {
        expect(statement.Action).toEqual(['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret']);
        expect(statement.Resource).toBe(SECRET_ARN);
      }
    });

    it('adds each policy org’s own secret by exact ARN', () => {
      const opsManager = `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:cfn/atlas/profile/ops-Zz9Yy8`;
      const { template: perOrg } = synthWorker({
        policy: { orgs: [{ orgId: ORG_ID }, { orgId: '5f0000000000000000000002', secretId: opsManager }] },
      });
      for (const statement of secretStatements(perOrg)) expect(statement.Resource).toEqual([SECRET_ARN, opsManager]);
    });

    it('fails if a policy org names its secret by name, showing how to find the ARN', () => {
      expect(() =>
        synthWorker({ policy: { orgs: [{ orgId: ORG_ID, secretId: 'cfn/atlas/profile/default' }] } }),
      ).toThrow(/policy: orgs\.0\.secretId must be a secret's complete ARN.*describe-secret/);
    });

    it('uses no wildcard resource except for X-Ray, which has no resource-level permissions', () => {
      const wildcards = iamStatements(template).filter((statement) => asArray(statement.Resource).includes('*'));
      expect(wildcards.map((statement) => statement.Action)).toEqual([
        ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'],
        ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'],
      ]);
    });

    it('lets only the worker send to the work lane, and no function send to the urgent lane', () => {
      const senders = iamStatements(template).filter((statement) =>
        asArray(statement.Action as string[]).includes('sqs:SendMessage'),
      );
      const workSenders = senders.filter((statement) => JSON.stringify(statement.Resource) === JSON.stringify(ref(worker.workQueue.queueArn)));
      expect(workSenders.map((statement) => statement.policyId)).toEqual([
        stack.getLogicalId(worker.workerFunction.role!.node.findChild('DefaultPolicy').node.defaultChild as never),
      ]);
      expect(senders.some((statement) => JSON.stringify(statement.Resource) === JSON.stringify(ref(worker.urgentQueue.queueArn)))).toBe(false);
    });

    it('grants kms:Decrypt on the secrets’ key through Secrets Manager only, when a key is given', () => {
      const keyStack = testStack();
      const keyArn = `arn:aws:kms:${REGION}:${ACCOUNT}:key/11111111-2222-3333-4444-555555555555`;
      const { template: withKey } = synthWorker({ secretKmsKey: Key.fromKeyArn(keyStack, 'Key', keyArn) }, keyStack);
      const decrypts = iamStatements(withKey).filter((statement) => statement.Resource === keyArn);
      expect(decrypts).toHaveLength(2);
      for (const decrypt of decrypts) {
        expect(decrypt.Action).toBe('kms:Decrypt');
        expect(decrypt.Condition).toEqual({
          StringEquals: { 'kms:ViaService': { 'Fn::Join': ['', ['secretsmanager.', { Ref: 'AWS::Region' }, '.amazonaws.com']] } },
        });
      }
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
      const { template: two } = synthWorker({
        schedules: [Schedule.expression('cron(0 3 * * ? *)'), Schedule.expression('rate(6 hours)')],
      });
      expect(
        Object.keys(two.findResources('AWS::Events::Rule', { Properties: { ScheduleExpression: Match.anyValue() } })),
      ).toHaveLength(2);
    });

    it('forwards revocation requests from this account and the listed sources only, unchanged, to the urgent lane', () => {
      template.hasResourceProperties('AWS::Events::Rule', {
        EventBusName: Match.absent(),
        EventPattern: {
          source: [REVOCATION_SOURCE],
          'detail-type': ['Atlas API Key Revocation Requested'],
          account: [{ Ref: 'AWS::AccountId' }],
        },
        Targets: [
          {
            Id: Match.anyValue(),
            Arn: ref(worker.urgentQueue.queueArn),
            Input: Match.absent(),
            InputPath: Match.absent(),
            InputTransformer: Match.absent(),
            RetryPolicy: { MaximumRetryAttempts: 3 },
            DeadLetterConfig: { Arn: ref(worker.failedInvocationsQueue.queueArn) },
          },
        ],
      });
    });

    it('lets EventBridge send to the urgent lane, from the revocation rule only', () => {
      template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [ref(worker.urgentQueue.queueUrl)],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Effect: 'Allow',
              Principal: { Service: 'events.amazonaws.com' },
              Condition: { ArnEquals: { 'aws:SourceArn': ref(worker.revocationRule!.ruleArn) } },
            }),
          ]),
        },
      });
    });

    it('creates no revocation rule with revocationRule: false, and then needs no sources', () => {
      const { template: none, worker: quiet } = synthWorker({ revocationRule: false, revocationSources: [] });
      expect(quiet.revocationRule).toBeUndefined();
      expect(Object.keys(none.findResources('AWS::Events::Rule', { Properties: { EventPattern: Match.anyValue() } }))).toEqual([]);
    });
  });
});
