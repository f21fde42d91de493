import { Duration } from 'aws-cdk-lib';
import { Metric, Stats } from 'aws-cdk-lib/aws-cloudwatch';
import { SERVICE_DIMENSION, SERVICE_NAME } from '../lambda/telemetry/metric-names.ts';

/** Options for one of the worker's own metrics. */
export interface WorkerMetricOptions {
  /** @default Stats.SUM */
  readonly statistic?: string;
  /** @default Duration.minutes(5) */
  readonly period?: Duration;
  /** @default - none: CloudWatch shows the metric name */
  readonly label?: string;
  /**
   * Dimensions besides `service`, e.g. `{ orgId }` for the per-org heartbeat. A metric emitted with more
   * dimensions is another series: select exactly the set the runtime emits.
   *
   * @default - `service` only
   */
  readonly dimensions?: Readonly<Record<string, string>>;
}

/** A metric the Lambda emits through Powertools Metrics (EMF): `namespace`, dimension `service=atlas-key-worker`. */
export function workerMetric(namespace: string, metricName: string, options: WorkerMetricOptions = {}): Metric {
  return new Metric({
    namespace,
    metricName,
    dimensionsMap: { [SERVICE_DIMENSION]: SERVICE_NAME, ...options.dimensions },
    statistic: options.statistic ?? Stats.SUM,
    period: options.period ?? Duration.minutes(5),
    ...(options.label === undefined ? {} : { label: options.label }),
  });
}
