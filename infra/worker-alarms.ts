import { Duration } from 'aws-cdk-lib';
import {
  Alarm,
  ComparisonOperator,
  type IMetric,
  MathExpression,
  Stats,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { METRIC_NAMES } from '../lambda/telemetry/metric-names.ts';
import { ROTATIONS_FAILED } from './contract-metrics.ts';
import { type WorkerMetricOptions, workerMetric } from './worker-metric.ts';

/** Props of `WorkerAlarms`. */
export interface WorkerAlarmsProps {
  readonly workerFunction: IFunction;
  readonly urgentFunction: IFunction;
  readonly workQueue: IQueue;
  /** Redrive target of the FIFO work lane. */
  readonly workDeadLetterQueue: IQueue;
  /** Redrive target of the urgent lane: revocations that failed every attempt. */
  readonly urgentDeadLetterQueue: IQueue;
  /** Scheduled invocations that failed after their retries, and events EventBridge could not deliver. */
  readonly failedInvocationsQueue: IQueue;
  readonly metricsNamespace: string;
  /** Orgs that must complete a sweep every `heartbeatWindow`; empty when nothing is scheduled. */
  readonly heartbeatOrgIds: readonly string[];
  /** Whole hours, 2 to 168. */
  readonly heartbeatWindow: Duration;
  readonly workQueueMaxAge: Duration;
  /** Whether the function rotates secrets (adds the `RotationsFailed` alarm). */
  readonly rotation: boolean;
  /** Every alarm notifies this topic, on alarm and on recovery. */
  readonly alarmTopic: ITopic;
}

/** One alarm's settings, in the units CloudWatch takes. */
interface AlarmSpec {
  readonly metric: IMetric;
  readonly threshold: number;
  readonly comparisonOperator: ComparisonOperator;
  readonly description: string;
  readonly evaluationPeriods?: number;
  readonly treatMissingData?: TreatMissingData;
}

const ONE_MINUTE_MAX = { period: Duration.minutes(1), statistic: Stats.MAXIMUM };
const ONE_MINUTE_SUM = { period: Duration.minutes(1), statistic: Stats.SUM };
const FIVE_MINUTE_SUM = { period: Duration.minutes(5), statistic: Stats.SUM };

/**
 * The alarms a worker deserves, each with an action: anything in a dead-letter queue (work lane, urgent lane,
 * failed invocations), function errors and throttles, failed commands and actions, budget trips, a work lane
 * that stops moving, a per-org heartbeat (no completed sweep within the window: missing data is breaching, so a
 * worker that stopped running alarms too), and failed rotations when rotation is configured.
 */
export class WorkerAlarms extends Construct {
  readonly deadLetterQueueDepth: Alarm;
  readonly urgentDeadLetterQueueDepth: Alarm;
  readonly failedInvocationsQueueDepth: Alarm;
  readonly errors: Alarm;
  readonly throttles: Alarm;
  readonly safetyCapTrips: Alarm;
  readonly commandsFailed: Alarm;
  readonly actionsFailed: Alarm;
  readonly workQueueAge: Alarm;
  /** One per org, keyed by org id. */
  readonly heartbeats: ReadonlyMap<string, Alarm>;
  readonly rotationsFailed?: Alarm;

  constructor(scope: Construct, id: string, props: WorkerAlarmsProps) {
    super(scope, id);
    const worker = (name: string, options: WorkerMetricOptions = FIVE_MINUTE_SUM) => workerMetric(props.metricsNamespace, name, options);
    const atLeastOne = ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD;
    const anyVisible = (queue: IQueue) => queue.metricApproximateNumberOfMessagesVisible(ONE_MINUTE_MAX);

    this.deadLetterQueueDepth = this.alarm('DeadLetterQueueDepth', {
      metric: anyVisible(props.workDeadLetterQueue),
      threshold: 0,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      description:
        'Work-lane messages (sweeps, prunes, unassignments) failed every attempt and rest in the FIFO dead-letter ' +
        'queue; their reasons are in the logs. Until then they blocked their org.',
    });
    this.urgentDeadLetterQueueDepth = this.alarm('UrgentDeadLetterQueueDepth', {
      metric: anyVisible(props.urgentDeadLetterQueue),
      threshold: 0,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      description:
        'A key revocation failed every attempt: the leaked key may still be live. Revoke it by hand now, then ' +
        'read the reason in the urgent function’s logs.',
    });
    this.failedInvocationsQueueDepth = this.alarm('FailedInvocationsQueueDepth', {
      metric: anyVisible(props.failedInvocationsQueue),
      threshold: 0,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      description: 'A scheduled sweep failed after its retries, or EventBridge could not deliver an event.',
    });
    this.errors = this.alarm('Errors', {
      metric: bothFunctions(
        'Errors',
        props.workerFunction.metricErrors(FIVE_MINUTE_SUM),
        props.urgentFunction.metricErrors(FIVE_MINUTE_SUM),
      ),
      threshold: 1,
      comparisonOperator: atLeastOne,
      description: 'A worker function failed (an invocation threw or timed out).',
    });
    this.throttles = this.alarm('Throttles', {
      metric: bothFunctions(
        'Throttles',
        props.workerFunction.metricThrottles(FIVE_MINUTE_SUM),
        props.urgentFunction.metricThrottles(FIVE_MINUTE_SUM),
      ),
      threshold: 1,
      comparisonOperator: atLeastOne,
      description: 'A worker function was throttled: more work than its reserved concurrency.',
    });
    this.safetyCapTrips = this.alarm('SafetyCapTrips', {
      metric: worker(METRIC_NAMES.safetyCapTrips),
      threshold: 1,
      comparisonOperator: atLeastOne,
      description:
        "An org's daily write budget (maxWritesPerOrgPerDay) stopped a sweep's writes: check the data and the " +
        'policy before raising the budget.',
    });
    this.commandsFailed = this.alarm('CommandsFailed', {
      metric: worker(METRIC_NAMES.commandsFailed, ONE_MINUTE_SUM),
      threshold: 1,
      comparisonOperator: atLeastOne,
      description:
        'A command or revocation failed (it will be retried; a revocation that keeps failing reaches the urgent ' +
        'DLQ within minutes). Partial batch failures are not Lambda errors: this is where they show.',
    });
    this.actionsFailed = this.alarm('ActionsFailed', {
      metric: worker(METRIC_NAMES.actionsFailed),
      threshold: 1,
      comparisonOperator: atLeastOne,
      description: 'A write action (prune, unassign, delete) failed; the audit log has the error.',
    });
    this.workQueueAge = this.alarm('WorkQueueAge', {
      metric: props.workQueue.metricApproximateAgeOfOldestMessage({ period: Duration.minutes(5), statistic: Stats.MAXIMUM }),
      threshold: props.workQueueMaxAge.toSeconds(),
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      description: `A work-lane message has waited more than ${props.workQueueMaxAge.toHumanString()}: the worker is not consuming, or an org is blocked by a failing message.`,
    });

    const hours = props.heartbeatWindow.toHours();
    this.heartbeats = new Map(
      props.heartbeatOrgIds.map((orgId) => [
        orgId,
        this.alarm(`Heartbeat${orgId}`, {
          metric: worker(METRIC_NAMES.sweepsCompleted, {
            period: Duration.hours(1),
            statistic: Stats.SUM,
            dimensions: { orgId },
          }),
          threshold: 1,
          comparisonOperator: ComparisonOperator.LESS_THAN_THRESHOLD,
          evaluationPeriods: hours,
          treatMissingData: TreatMissingData.BREACHING,
          description: `No sweep of org ${orgId} completed in ${hours} hours: the worker stopped running, or its sweeps fail before the end of the listing.`,
        }),
      ]),
    );

    if (props.rotation) {
      this.rotationsFailed = this.alarm('RotationsFailed', {
        metric: worker(ROTATIONS_FAILED),
        threshold: 1,
        comparisonOperator: atLeastOne,
        description:
          'A secret rotation step failed. AWSCURRENT still works; Secrets Manager retries. Read the rotation ' +
          'audit records before the next window.',
      });
    }

    const action = new SnsAction(props.alarmTopic);
    for (const alarm of this.all) {
      alarm.addAlarmAction(action);
      alarm.addOkAction(action);
    }
  }

  /** Every alarm, in a stable order. */
  get all(): readonly Alarm[] {
    return [
      this.deadLetterQueueDepth,
      this.urgentDeadLetterQueueDepth,
      this.failedInvocationsQueueDepth,
      this.errors,
      this.throttles,
      this.safetyCapTrips,
      this.commandsFailed,
      this.actionsFailed,
      this.workQueueAge,
      ...this.heartbeats.values(),
      ...(this.rotationsFailed ? [this.rotationsFailed] : []),
    ];
  }

  private alarm(id: string, spec: AlarmSpec): Alarm {
    const evaluationPeriods = spec.evaluationPeriods ?? 1;
    return new Alarm(this, id, {
      metric: spec.metric,
      threshold: spec.threshold,
      comparisonOperator: spec.comparisonOperator,
      evaluationPeriods,
      datapointsToAlarm: evaluationPeriods,
      treatMissingData: spec.treatMissingData ?? TreatMissingData.NOT_BREACHING,
      alarmDescription: spec.description,
    });
  }
}

/** The sum of one Lambda metric over both functions (missing datapoints count as 0). */
function bothFunctions(label: string, worker: IMetric, urgent: IMetric): IMetric {
  return new MathExpression({
    expression: 'FILL(worker, 0) + FILL(urgent, 0)',
    usingMetrics: { worker, urgent },
    label,
    period: Duration.minutes(5),
  });
}
