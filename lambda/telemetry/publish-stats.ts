import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import type { RunStats } from '../worker/run-stats.ts';
import { METRIC_NAMES } from './metric-names.ts';

const MILLISECONDS = new Set<string>([METRIC_NAMES.runDuration]);

/** Publishes one invocation's counters as CloudWatch EMF metrics (plus a per-ActionKind breakdown). */
export function publishStats(metrics: Metrics, stats: RunStats): void {
  for (const [name, value] of stats.counters) {
    metrics.addMetric(name, MILLISECONDS.has(name) ? MetricUnit.Milliseconds : MetricUnit.Count, value);
  }
  for (const [name, kinds] of stats.byKind) {
    for (const [kind, value] of kinds) {
      const single = metrics.singleMetric();
      single.addDimension('ActionKind', kind);
      single.addMetric(name, MetricUnit.Count, value);
    }
  }
  metrics.publishStoredMetrics();
}
