import { Duration, type Stack } from 'aws-cdk-lib';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { beforeAll, describe, expect, it } from 'vitest';
import type { AtlasKeyWorker } from '../../infra/atlas-key-worker.ts';
import type { WorkerAlarms } from '../../infra/worker-alarms.ts';
import { ALARM_EMAIL, importedSecret, ORG_ID, REVOCATION_SOURCE, synthWorker, synthWorkerWith, testStack } from './helpers.ts';

const ORG_B = '5f0000000000000000000002';

describe('AtlasKeyWorker: alarms', () => {
  describe('destination', () => {
    const noDestination = (stack: Stack) => ({
      secret: importedSecret(stack),
      policy: { orgs: [{ orgId: ORG_ID }] },
      revocationSources: [REVOCATION_SOURCE],
    });

    it('fails if no alarm destination is given, naming both ways to give one and the way out', () => {
      const stack = testStack();
      expect(() => synthWorkerWith(noDestination(stack), stack)).toThrow(
        /alarms need a destination: give alarmEmail or alarmTopic \(app context: -c alarmEmail=… or -c alarmTopicArn=…\), or set alarms: false/,
      );
    });

    it('creates no alarm and no topic with alarms: false given explicitly', () => {
      const stack = testStack();
      const { template, worker } = synthWorkerWith({ ...noDestination(stack), alarms: false }, stack);
      template.resourceCountIs('AWS::CloudWatch::Alarm', 0);
      template.resourceCountIs('AWS::SNS::Topic', 0);
      expect(worker.alarms).toBeUndefined();
    });

    it('fails if alarms: false comes with a destination', () => {
      expect(() => synthWorker({ alarms: false })).toThrow(/alarms: false creates no alarms, so alarmEmail and alarmTopic must not be given/);
    });

    it('fails if alarmEmail is not an e-mail address', () => {
      expect(() => synthWorker({ alarmEmail: 'secops' })).toThrow('alarmEmail must be an email address (given "secops")');
    });

    it('e-mails every alarm, on alarm and on recovery, through a TLS-only topic', () => {
      const { stack, template, worker } = synthWorker();
      template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: ALARM_EMAIL });
      template.hasResourceProperties('AWS::SNS::TopicPolicy', {
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          ]),
        },
      });
      const topic = stack.resolve(worker.alarmTopic!.topicArn);
      const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm'));
      expect(alarms.length).toBe(worker.alarms!.all.length);
      for (const alarm of alarms) {
        expect(alarm.Properties.AlarmActions).toEqual([topic]);
        expect(alarm.Properties.OKActions).toEqual([topic]);
      }
    });

    it('notifies a given topic instead of creating one', () => {
      const stack = testStack();
      const topic = new Topic(stack, 'Existing');
      const { template } = synthWorkerWith(
        { ...noDestination(stack), alarmTopic: topic },
        stack,
      );
      template.resourceCountIs('AWS::SNS::Topic', 1);
      template.resourceCountIs('AWS::SNS::Subscription', 0);
      for (const alarm of Object.values(template.findResources('AWS::CloudWatch::Alarm'))) {
        expect(alarm.Properties.AlarmActions).toEqual([stack.resolve(topic.topicArn)]);
      }
    });
  });

  describe('settings', () => {
    let stack: Stack;
    let worker: AtlasKeyWorker;
    let template: Template;
    beforeAll(() => {
      ({ stack, worker, template } = synthWorker({ policy: { orgs: [{ orgId: ORG_ID }, { orgId: ORG_B }] } }));
    });
    const propsOf = (alarm: 'deadLetterQueueDepth' | 'urgentDeadLetterQueueDepth' | 'failedInvocationsQueueDepth' | 'errors' | 'throttles' | 'safetyCapTrips' | 'commandsFailed' | 'actionsFailed' | 'workQueueAge') => {
      const construct = (worker.alarms as WorkerAlarms)[alarm];
      return template.findResources('AWS::CloudWatch::Alarm')[stack.getLogicalId(construct.node.defaultChild as never)]
        ?.Properties;
    };
    const queueName = (queue: { queueName: string }) => stack.resolve(queue.queueName);
    const once = { EvaluationPeriods: 1, DatapointsToAlarm: 1, TreatMissingData: 'notBreaching' };

    it.each([
      ['deadLetterQueueDepth', 'deadLetterQueue'],
      ['urgentDeadLetterQueueDepth', 'urgentDeadLetterQueue'],
      ['failedInvocationsQueueDepth', 'failedInvocationsQueue'],
    ] as const)('%s: any message visible in a one-minute maximum', (alarm, queue) => {
      expect(propsOf(alarm)).toMatchObject({
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Dimensions: [{ Name: 'QueueName', Value: queueName(worker[queue]) }],
        Statistic: 'Maximum',
        Period: 60,
        ComparisonOperator: 'GreaterThanThreshold',
        Threshold: 0,
        ...once,
      });
    });

    it.each(['errors', 'throttles'] as const)('%s: one in five minutes, summed over both functions', (alarm) => {
      const props = propsOf(alarm);
      expect(props).toMatchObject({ ComparisonOperator: 'GreaterThanOrEqualToThreshold', Threshold: 1, ...once });
      const metrics = props?.Metrics as Array<Record<string, { Metric: { Dimensions: unknown[] }; Period: number }>>;
      expect(metrics.find((metric) => metric.Expression)?.Expression).toBe('FILL(worker, 0) + FILL(urgent, 0)');
      const functions = metrics.flatMap((metric) => (metric.MetricStat ? [metric.MetricStat] : []));
      expect(functions.map((stat) => stat.Metric.Dimensions)).toEqual([
        [{ Name: 'FunctionName', Value: stack.resolve(worker.workerFunction.functionName) }],
        [{ Name: 'FunctionName', Value: stack.resolve(worker.urgentFunction.functionName) }],
      ]);
      expect(functions.map((stat) => stat.Period)).toEqual([300, 300]);
    });

    it.each([
      ['commandsFailed', 'CommandsFailed', 60],
      ['actionsFailed', 'ActionsFailed', 300],
      ['safetyCapTrips', 'SafetyCapTrips', 300],
    ] as const)('%s: one %s in its period, in the worker’s namespace and service dimension', (alarm, metricName, period) => {
      expect(propsOf(alarm)).toMatchObject({
        Namespace: 'AtlasKeyWorker',
        MetricName: metricName,
        Dimensions: [{ Name: 'service', Value: 'atlas-key-worker' }],
        Statistic: 'Sum',
        Period: period,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        Threshold: 1,
        ...once,
      });
    });

    it('workQueueAge: the work lane’s oldest message over six hours', () => {
      expect(propsOf('workQueueAge')).toMatchObject({
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateAgeOfOldestMessage',
        Dimensions: [{ Name: 'QueueName', Value: queueName(worker.workQueue) }],
        Statistic: 'Maximum',
        Period: 300,
        ComparisonOperator: 'GreaterThanThreshold',
        Threshold: 21_600,
        ...once,
      });
    });

    it('heartbeat: per org, no completed sweep in 26 hourly periods, missing data breaching', () => {
      expect([...worker.alarms!.heartbeats.keys()]).toEqual([ORG_ID, ORG_B]);
      for (const orgId of [ORG_ID, ORG_B]) {
        expect(
          template.findResources('AWS::CloudWatch::Alarm')[
            stack.getLogicalId(worker.alarms!.heartbeats.get(orgId)!.node.defaultChild as never)
          ]
            ?.Properties,
        ).toMatchObject({
          Namespace: 'AtlasKeyWorker',
          MetricName: 'SweepsCompleted',
          Dimensions: [
            { Name: 'orgId', Value: orgId },
            { Name: 'service', Value: 'atlas-key-worker' },
          ],
          Statistic: 'Sum',
          Period: 3600,
          EvaluationPeriods: 26,
          DatapointsToAlarm: 26,
          ComparisonOperator: 'LessThanThreshold',
          Threshold: 1,
          TreatMissingData: 'breaching',
        });
      }
    });

    it('has no rotation alarm without rotation', () => {
      expect(worker.alarms!.rotationsFailed).toBeUndefined();
      template.resourcePropertiesCountIs('AWS::CloudWatch::Alarm', { MetricName: 'RotationsFailed' }, 0);
    });
  });

  it('expects no heartbeat when nothing is scheduled', () => {
    const { worker, template } = synthWorker({ schedules: [] });
    expect(worker.alarms!.heartbeats.size).toBe(0);
    template.resourcePropertiesCountIs('AWS::CloudWatch::Alarm', { MetricName: 'SweepsCompleted' }, 0);
  });

  it('sizes the heartbeat and the age alarm from their props', () => {
    const { template } = synthWorker({ heartbeatWindow: Duration.hours(50), workQueueMaxAge: Duration.hours(2) });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'SweepsCompleted', EvaluationPeriods: 50 });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'ApproximateAgeOfOldestMessage', Threshold: 7200 });
  });

  it('fails if the heartbeat window is not whole hours, or the age limit out of range', () => {
    expect(() => synthWorker({ heartbeatWindow: Duration.minutes(90) })).toThrow(
      'heartbeatWindow must be whole hours between 2 and 168 inclusive (given 1 hour 30 minutes)',
    );
    expect(() => synthWorker({ workQueueMaxAge: Duration.minutes(1) })).toThrow(
      'workQueueMaxAge must be whole seconds between 300 and 1209600 inclusive (given 1 minute)',
    );
  });
});

