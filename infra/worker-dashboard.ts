import { Duration } from 'aws-cdk-lib';
import {
  type Alarm,
  AlarmStatusWidget,
  Dashboard,
  GraphWidget,
  type IMetric,
  type IWidget,
  MathExpression,
  Stats,
  TextWidget,
} from 'aws-cdk-lib/aws-cloudwatch';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { METRIC_NAMES, SERVICE_DIMENSION, SERVICE_NAME } from '../lambda/telemetry/metric-names.ts';
import { ROTATIONS_FAILED, ROTATIONS_SUCCEEDED } from './contract-metrics.ts';
import { workerMetric } from './worker-metric.ts';

/** CloudWatch dashboards are 24 units wide; a row whose widths sum to more wraps onto a second line. */
export const DASHBOARD_WIDTH = 24;

/** Props of `WorkerDashboard`. */
export interface WorkerDashboardProps {
  readonly workerFunction: IFunction;
  readonly urgentFunction: IFunction;
  readonly workQueue: IQueue;
  readonly workDeadLetterQueue: IQueue;
  readonly urgentQueue: IQueue;
  readonly urgentDeadLetterQueue: IQueue;
  readonly failedInvocationsQueue: IQueue;
  readonly metricsNamespace: string;
  /** Shown in an alarm-status widget at the top; none when the worker has no alarms. */
  readonly alarms: readonly Alarm[];
}

/**
 * One CloudWatch dashboard: alarm status first, then the worker's own metrics, the functions and the lanes.
 * Every row's widths sum to exactly 24, so no row wraps.
 */
export class WorkerDashboard extends Construct {
  readonly dashboard: Dashboard;
  /** The rows as laid out, for tests. */
  readonly rows: readonly (readonly IWidget[])[];

  constructor(scope: Construct, id: string, props: WorkerDashboardProps) {
    super(scope, id);
    const namespace = props.metricsNamespace;
    const placed = new Set<string>();
    const worker = (...names: string[]) =>
      names.map((name) => {
        placed.add(name);
        return workerMetric(namespace, name);
      });
    const graph = (title: string, width: number, left: IMetric[]): IWidget =>
      new GraphWidget({ title, left, width, height: 6 });
    const fiveMinutes = { period: Duration.minutes(5) };
    const both = (label: string, metric: (fn: IFunction, label: string) => IMetric) => [
      metric(props.workerFunction, `${label} (worker)`),
      metric(props.urgentFunction, `${label} (urgent)`),
    ];
    const visible = (queue: IQueue, label: string) =>
      queue.metricApproximateNumberOfMessagesVisible({ ...fiveMinutes, statistic: Stats.MAXIMUM, label });

    // The heartbeat carries an orgId dimension: one series per org, found by a search rather than listed.
    placed.add(METRIC_NAMES.sweepsCompleted);
    const sweepsCompleted = new MathExpression({
      expression: `SEARCH('{${namespace},${SERVICE_DIMENSION},orgId} MetricName="${METRIC_NAMES.sweepsCompleted}" ${SERVICE_DIMENSION}="${SERVICE_NAME}"', 'Sum', 3600)`,
      usingMetrics: {},
      label: 'completed sweeps per org (hourly)',
      period: Duration.hours(1),
    });

    const rows: IWidget[][] = [
      [
        new TextWidget({
          markdown:
            `# Atlas key worker\nWorker metrics from namespace \`${namespace}\`, dimension \`${SERVICE_DIMENSION}\`. ` +
            'Alarms first; a red heartbeat means an org has had no completed sweep within its window.',
          width: DASHBOARD_WIDTH,
          height: 2,
        }),
      ],
      ...(props.alarms.length > 0
        ? [
            [
              new AlarmStatusWidget({
                title: 'Alarms',
                alarms: [...props.alarms],
                width: DASHBOARD_WIDTH,
                height: Math.max(3, Math.ceil(props.alarms.length / 4) + 1),
              }),
            ],
          ]
        : []),
      [
        graph('Inventory', 8, worker(METRIC_NAMES.keysScanned, METRIC_NAMES.entriesScanned, METRIC_NAMES.findings)),
        graph(
          'Actions',
          8,
          worker(
            METRIC_NAMES.actionsPlanned,
            METRIC_NAMES.actionsDone,
            METRIC_NAMES.actionsAlreadyAbsent,
            METRIC_NAMES.actionsSkipped,
            METRIC_NAMES.actionsFailed,
          ),
        ),
        graph(
          'Failures',
          8,
          worker(
            METRIC_NAMES.commandsFailed,
            METRIC_NAMES.actionsFailed,
            METRIC_NAMES.safetyCapTrips,
            METRIC_NAMES.continuationsDropped,
          ),
        ),
      ],
      [
        graph('Atlas API', 6, worker(METRIC_NAMES.apiRequests, METRIC_NAMES.rateLimited, METRIC_NAMES.retries)),
        graph('Fan-out and continuations', 6, worker(METRIC_NAMES.sweepsFannedOut, METRIC_NAMES.continuations)),
        graph('Run duration (ms)', 6, [
          workerMetric(namespace, METRIC_NAMES.runDuration, { statistic: Stats.AVERAGE, label: 'avg' }),
          workerMetric(namespace, METRIC_NAMES.runDuration, { statistic: Stats.MAXIMUM, label: 'max' }),
        ]),
        graph(
          'Function duration, max (ms)',
          6,
          both('max', (fn, label) => fn.metricDuration({ ...fiveMinutes, statistic: Stats.MAXIMUM, label })),
        ),
      ],
      [
        graph('Functions', 8, [
          ...both('invocations', (fn, label) => fn.metricInvocations({ ...fiveMinutes, label })),
          ...both('errors', (fn, label) => fn.metricErrors({ ...fiveMinutes, label })),
          ...both('throttles', (fn, label) => fn.metricThrottles({ ...fiveMinutes, label })),
        ]),
        graph('Work lane (FIFO), visible messages', 8, [
          visible(props.workQueue, 'work lane'),
          visible(props.workDeadLetterQueue, 'work DLQ'),
          visible(props.failedInvocationsQueue, 'failed invocations'),
        ]),
        graph('Urgent lane, visible messages', 8, [
          visible(props.urgentQueue, 'urgent lane'),
          visible(props.urgentDeadLetterQueue, 'urgent DLQ'),
        ]),
      ],
      [
        graph('Work lane: age of oldest message (s)', 8, [
          props.workQueue.metricApproximateAgeOfOldestMessage({ ...fiveMinutes, statistic: Stats.MAXIMUM }),
        ]),
        graph('Heartbeat: completed sweeps per org', 8, [sweepsCompleted]),
      ],
    ];
    // The last graph collects the budget and rotation metrics and whatever METRIC_NAMES gains later, so that
    // every metric the runtime declares is on the dashboard.
    const rest = [
      METRIC_NAMES.budgetRefused,
      ROTATIONS_SUCCEEDED,
      ROTATIONS_FAILED,
      ...Object.values(METRIC_NAMES as Readonly<Record<string, string>>),
    ].filter((name, index, all) => name !== undefined && all.indexOf(name) === index && !placed.has(name));
    rows[rows.length - 1]!.push(graph('Budget, rotation and other', 8, worker(...rest)));

    this.rows = rows;
    this.dashboard = new Dashboard(this, 'Dashboard', { defaultInterval: Duration.days(7), widgets: rows });
  }
}
