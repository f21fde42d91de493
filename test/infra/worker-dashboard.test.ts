import type { Stack } from 'aws-cdk-lib';
import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import type { AtlasKeyWorker } from '../../infra/atlas-key-worker.ts';
import { DASHBOARD_WIDTH } from '../../infra/worker-dashboard.ts';
import { METRIC_NAMES } from '../../lambda/telemetry/metric-names.ts';
import { requiredProps, synthWorker, synthWorkerWith, testStack } from './helpers.ts';

interface Widget {
  readonly type: string;
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly properties: Record<string, unknown>;
}

/** The dashboard body as CloudWatch will see it, with every deploy-time value replaced by a placeholder. */
function dashboardBody(template: Template): { widgets: Widget[]; text: string } {
  const dashboards = Object.values(template.findResources('AWS::CloudWatch::Dashboard'));
  expect(dashboards).toHaveLength(1);
  const body = dashboards[0]?.Properties.DashboardBody as string | { 'Fn::Join': [string, unknown[]] };
  const text =
    typeof body === 'string' ? body : body['Fn::Join'][1].map((part) => (typeof part === 'string' ? part : 'TOKEN')).join('');
  return { widgets: (JSON.parse(text) as { widgets: Widget[] }).widgets, text };
}

describe('AtlasKeyWorker: dashboard', () => {
  let stack: Stack;
  let worker: AtlasKeyWorker;
  let template: Template;
  beforeAll(() => {
    ({ stack, worker, template } = synthWorker());
  });

  it('lays out rows whose widths sum to exactly 24, so that none wraps', () => {
    for (const row of worker.dashboard.rows) {
      expect(row.reduce((sum, widget) => sum + widget.width, 0)).toBe(DASHBOARD_WIDTH);
    }
    const { widgets } = dashboardBody(template);
    const rows = new Map<number, Widget[]>();
    for (const widget of widgets) rows.set(widget.y, [...(rows.get(widget.y) ?? []), widget]);
    expect(rows.size).toBe(worker.dashboard.rows.length);
    for (const row of rows.values()) {
      expect(row.reduce((sum, widget) => sum + widget.width, 0)).toBe(DASHBOARD_WIDTH);
      for (const widget of row) expect(widget.x + widget.width).toBeLessThanOrEqual(DASHBOARD_WIDTH);
    }
  });

  it('shows the status of every alarm first, below the title', () => {
    const { widgets } = dashboardBody(template);
    const status = widgets.find((widget) => widget.type === 'alarm')!;
    expect(status.y).toBe(widgets.find((widget) => widget.type === 'text')!.y + 2);
    expect((status.properties.alarms as unknown[]).length).toBe(worker.alarms!.all.length);
    const parts = Object.values(template.findResources('AWS::CloudWatch::Dashboard'))[0]?.Properties.DashboardBody[
      'Fn::Join'
    ][1] as unknown[];
    for (const alarm of worker.alarms!.all) expect(parts).toContainEqual(stack.resolve(alarm.alarmArn));
  });

  it('shows every worker metric, in the worker’s namespace and service dimension', () => {
    const { text } = dashboardBody(template);
    for (const name of Object.values(METRIC_NAMES)) {
      if (name === METRIC_NAMES.sweepsCompleted) continue;
      expect(text).toContain(`"AtlasKeyWorker","${name}","service","atlas-key-worker"`);
    }
    // The heartbeat carries an orgId dimension: one series per org, by search.
    expect(text).toContain(
      `SEARCH('{AtlasKeyWorker,service,orgId} MetricName=\\"SweepsCompleted\\" service=\\"atlas-key-worker\\"', 'Sum', 3600)`,
    );
    expect(text).toContain('AWS/Lambda');
    expect(text).toContain('ApproximateAgeOfOldestMessage');
  });

  it('has no alarm widget when there are no alarms, and still no wrapping row', () => {
    const quiet = testStack();
    const { alarmEmail: _unused, ...required } = requiredProps(quiet);
    const { worker: unalarmed, template: plain } = synthWorkerWith({ ...required, alarms: false }, quiet);
    const { widgets } = dashboardBody(plain);
    expect(widgets.some((widget) => widget.type === 'alarm')).toBe(false);
    for (const row of unalarmed.dashboard.rows) {
      expect(row.reduce((sum, widget) => sum + widget.width, 0)).toBe(DASHBOARD_WIDTH);
    }
  });
});
