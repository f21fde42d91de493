import { Duration } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, type IMetric, Stats, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { METRIC_NAMES } from '../lambda/telemetry/metric-names.ts';
import { workerMetric } from './worker-metric.ts';

/** Props of `WorkerAlarms`. */
export interface WorkerAlarmsProps {
  readonly workerFunction: IFunction;
  /** Redrive target of the work queue: commands that failed `maxReceiveCount` times. */
  readonly deadLetterQueue: IQueue;
  /** Scheduled invocations that failed after their retries, and events EventBridge could not deliver. */
  readonly failedInvocationsQueue: IQueue;
  readonly metricsNamespace: string;
  /** @default - alarms without actions */
  readonly alarmTopic?: ITopic;
}

/**
 * The alarms a worker deserves: anything in a dead-letter queue, function errors and throttles, and the
 * worker's own safety-cap trips (a plan so large that nothing was executed; usually bad data or a bad policy).
 */
export class WorkerAlarms extends Construct {
  readonly deadLetterQueueDepth: Alarm;
  readonly failedInvocationsQueueDepth: Alarm;
  readonly errors: Alarm;
  readonly throttles: Alarm;
  readonly safetyCapTrips: Alarm;

  constructor(scope: Construct, id: string, props: WorkerAlarmsProps) {
    super(scope, id);
    const oneMinuteMax = { period: Duration.minutes(1), statistic: Stats.MAXIMUM };
    const fiveMinuteSum = { period: Duration.minutes(5), statistic: Stats.SUM };

    this.deadLetterQueueDepth = this.alarm(
      'DeadLetterQueueDepth',
      props.deadLetterQueue.metricApproximateNumberOfMessagesVisible(oneMinuteMax),
      0,
      ComparisonOperator.GREATER_THAN_THRESHOLD,
      'Commands failed after every retry and rest in the dead-letter queue; their reasons are in the logs.',
    );
    this.failedInvocationsQueueDepth = this.alarm(
      'FailedInvocationsQueueDepth',
      props.failedInvocationsQueue.metricApproximateNumberOfMessagesVisible(oneMinuteMax),
      0,
      ComparisonOperator.GREATER_THAN_THRESHOLD,
      'A scheduled sweep failed after its retries, or EventBridge could not deliver an event.',
    );
    this.errors = this.alarm(
      'Errors',
      props.workerFunction.metricErrors(fiveMinuteSum),
      1,
      ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      'The worker function failed (an invocation threw or timed out).',
    );
    this.throttles = this.alarm(
      'Throttles',
      props.workerFunction.metricThrottles(fiveMinuteSum),
      1,
      ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      'The worker function was throttled: more work than its reserved concurrency.',
    );
    this.safetyCapTrips = this.alarm(
      'SafetyCapTrips',
      workerMetric(props.metricsNamespace, METRIC_NAMES.safetyCapTrips),
      1,
      ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      'A plan exceeded maxDeletionsPerRun and nothing was deleted for that org: check the data and the policy.',
    );

    if (props.alarmTopic) {
      const action = new SnsAction(props.alarmTopic);
      for (const alarm of this.all) alarm.addAlarmAction(action);
    }
  }

  /** Every alarm, in a stable order. */
  get all(): readonly Alarm[] {
    return [
      this.deadLetterQueueDepth,
      this.failedInvocationsQueueDepth,
      this.errors,
      this.throttles,
      this.safetyCapTrips,
    ];
  }

  private alarm(
    id: string,
    metric: IMetric,
    threshold: number,
    comparisonOperator: ComparisonOperator,
    alarmDescription: string,
  ): Alarm {
    return new Alarm(this, id, {
      metric,
      threshold,
      comparisonOperator,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
      alarmDescription,
    });
  }
}
