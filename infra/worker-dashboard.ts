import { Duration } from 'aws-cdk-lib';
import { Dashboard, GraphWidget, type IMetric, type IWidget, Stats, TextWidget } from 'aws-cdk-lib/aws-cloudwatch';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { METRIC_NAMES, type MetricName } from '../lambda/telemetry/metric-names.ts';
import { workerMetric } from './worker-metric.ts';

/** Props of `WorkerDashboard`. */
export interface WorkerDashboardProps {
  readonly workerFunction: IFunction;
  readonly workQueue: IQueue;
  readonly deadLetterQueue: IQueue;
  readonly failedInvocationsQueue: IQueue;
  readonly metricsNamespace: string;
}

/** One CloudWatch dashboard: the worker's own metrics, then the function's and the queues'. */
export class WorkerDashboard extends Construct {
  readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: WorkerDashboardProps) {
    super(scope, id);
    const worker = (names: readonly MetricName[]) => names.map((name) => workerMetric(props.metricsNamespace, name));
    const graph = (title: string, left: IMetric[]): IWidget =>
      new GraphWidget({ title, left, width: 8, height: 6 });

    const fn = props.workerFunction;
    const fiveMinutes = { period: Duration.minutes(5) };
    const queueDepth = (queue: IQueue, label: string) =>
      queue.metricApproximateNumberOfMessagesVisible({ ...fiveMinutes, statistic: Stats.MAXIMUM, label });

    this.dashboard = new Dashboard(this, 'Dashboard', {
      defaultInterval: Duration.days(7),
      widgets: [
        [
          new TextWidget({
            markdown: `# Atlas key worker\nWorker metrics from namespace \`${props.metricsNamespace}\`, dimension \`service\`.`,
            width: 24,
            height: 2,
          }),
        ],
        [
          graph('Inventory', worker([METRIC_NAMES.keysScanned, METRIC_NAMES.entriesScanned, METRIC_NAMES.findings])),
          graph(
            'Actions',
            worker([
              METRIC_NAMES.actionsPlanned,
              METRIC_NAMES.actionsDone,
              METRIC_NAMES.actionsAlreadyAbsent,
              METRIC_NAMES.actionsSkipped,
              METRIC_NAMES.actionsFailed,
            ]),
          ),
          graph(
            'Failures',
            worker([
              METRIC_NAMES.safetyCapTrips,
              METRIC_NAMES.commandsFailed,
              METRIC_NAMES.actionsFailed,
              METRIC_NAMES.continuationsDropped,
            ]),
          ),
        ],
        [
          graph('Atlas API', worker([METRIC_NAMES.apiRequests, METRIC_NAMES.rateLimited, METRIC_NAMES.retries])),
          graph('Fan-out and continuations', worker([METRIC_NAMES.sweepsFannedOut, METRIC_NAMES.continuations])),
          graph('Run duration (ms)', [
            workerMetric(props.metricsNamespace, METRIC_NAMES.runDuration, { statistic: Stats.AVERAGE, label: 'avg' }),
            workerMetric(props.metricsNamespace, METRIC_NAMES.runDuration, { statistic: Stats.MAXIMUM, label: 'max' }),
          ]),
          graph('Function', [
            fn.metricInvocations(fiveMinutes),
            fn.metricErrors(fiveMinutes),
            fn.metricThrottles(fiveMinutes),
          ]),
        ],
        [
          graph('Function duration (ms)', [
            fn.metricDuration({ ...fiveMinutes, statistic: Stats.AVERAGE }),
            fn.metricDuration({ ...fiveMinutes, statistic: Stats.MAXIMUM }),
          ]),
          graph('Queues (visible messages)', [
            queueDepth(props.workQueue, 'work queue'),
            queueDepth(props.deadLetterQueue, 'dead-letter queue'),
            queueDepth(props.failedInvocationsQueue, 'failed invocations'),
          ]),
          graph('Work queue: age of oldest message (s)', [
            props.workQueue.metricApproximateAgeOfOldestMessage({ ...fiveMinutes, statistic: Stats.MAXIMUM }),
          ]),
        ],
      ],
    });
  }
}
