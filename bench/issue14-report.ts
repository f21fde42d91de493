import { cpus } from 'node:os';
import type { DaySweep } from './incremental-bench.ts';
import type { Issue14Results } from './issue14-bench.ts';
import type { Target } from './report.ts';

/** Issue 14's "Benchmark targets" table: each row with its measured value and pass/miss. */
export function issue14Targets(results: Issue14Results): Target[] {
  const { incremental, loadRatio, revocation } = results;
  const atHalf = results.secondClient.find((run) => run.share === 0.5);
  const atFull = results.secondClient.find((run) => run.share === 1);
  const keys = `${incremental.keys / 1000}k keys`;
  const targets: Target[] = [
    {
      name: `daily incremental sweep, ${keys}, realistic use: requests / full sweep's`,
      value: incremental.requestsRatio,
      unit: '×',
      target: '≤ 0.15',
      pass: incremental.requestsRatio <= 0.15,
    },
    {
      name: `daily incremental sweep, ${keys}, realistic use: wall time / full sweep's`,
      value: incremental.wallRatio,
      unit: '×',
      target: '≤ 0.15',
      pass: incremental.wallRatio <= 0.15,
    },
    {
      name: `full sweep, ${keys}: wall / token-bucket bound at share ${incremental.share}`,
      value: incremental.full.wallToShareBound,
      unit: '×',
      target: '≤ 1.05',
      pass: incremental.full.wallToShareBound <= 1.05,
    },
  ];
  if (atHalf !== undefined) {
    targets.push({
      name: `second client's 429s during a sweep at share 0.5 (${atHalf.reader.requests} requests)`,
      value: atHalf.reader.status429,
      unit: '',
      target: '0',
      pass: atHalf.reader.status429 === 0,
    });
  }
  if (atFull !== undefined) {
    targets.push({
      name: `second client's 429s during a sweep at share 1 (${atFull.reader.requests} requests)`,
      value: atFull.reader.status429,
      unit: '',
      target: 'report',
      pass: true,
    });
  }
  const perKey = incremental.stateWritesPerKeyRead.day2;
  targets.push(
    {
      name: `state-table cost per daily sweep, ${keys}: key-state writes per key read (${stateCost(incremental.incremental)})`,
      value: perKey,
      unit: '×',
      target: '≤ 1',
      pass: perKey <= 1,
    },
    {
      name: `leaked-key revocation by publicKey, last key of ${revocation.keys / 1000}k (${revocation.listingPages} pages, 50 ms RTT)`,
      value: revocation.wallMs / 1000,
      unit: 's',
      target: '≤ 0.5 s',
      pass: revocation.revoked && revocation.wallMs <= 500,
    },
    {
      name: `handler module load / Powertools reference, median of ${loadRatio.runs} each`,
      value: loadRatio.ratio,
      unit: '×',
      target: '≤ 1.25',
      pass: loadRatio.ratio <= 1.25,
    },
  );
  return targets;
}

/** Key-state reads and writes of a sweep, as items and as DynamoDB requests. */
function stateCost(day: DaySweep): string {
  const requests = day.state.dynamoRequests;
  return (
    `${day.state.keyItemsAsked} items asked in ${requests['BatchGetItem'] ?? 0} BatchGetItem, ` +
    `${day.state.keyItemsWritten} written in ${requests['BatchWriteItem'] ?? 0} BatchWriteItem, ` +
    `${day.state.reservations} budget UpdateItem`
  );
}

const fixed = (value: number, digits: number) => (Number.isFinite(value) ? value.toFixed(digits) : '–');
const seconds = (ms: number) => `${fixed(ms / 1000, 2)} s`;

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((cell, column) => Math.max(cell.length, ...rows.map((row) => (row[column] ?? '').length)));
  const line = (cells: readonly string[]) => `| ${cells.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join(' | ')} |`;
  return [line(header), line(widths.map((width) => '-'.repeat(width))), ...rows.map(line)].join('\n');
}

function dayRow(label: string, day: DaySweep): string[] {
  const r = day.requests;
  return [
    label,
    `${seconds(day.wallMs)} (CPU ${seconds(day.cpuMs)})`,
    String(r.total),
    `${r.listingPages} / ${r.accessListReads} / ${r.writes} / ${r.challenges401} / ${r.status429}`,
    `${day.keysRead} / ${day.keysSkipped}`,
    String(day.actions),
    `${day.state.keyItemsAsked} / ${day.state.keyItemsWritten} / ${day.state.reservations}`,
    `${seconds(day.state.keyGetMs)} / ${seconds(day.state.keyPutMs)}`,
    Object.entries(day.state.dynamoRequests)
      .map(([operation, count]) => `${operation} ${count}`)
      .join(', '),
    `${fixed(day.wallToShareBound, 3)} (share ${day.share})`,
  ];
}

/** The human-readable part: the runs behind each row, then the targets with PASS / MISS. */
export function renderIssue14(results: Issue14Results, targets: readonly Target[]): string {
  const { incremental, loadRatio, revocation } = results;
  const churn = incremental.churn;
  return [
    `Issue 14 (simulator on 127.0.0.1, Atlas buckets time-scaled 60×, 50 ms latency; load average ` +
      `${results.loadAverage.start.map((v) => fixed(v, 2)).join(' ')} at start, ${results.loadAverage.end.map((v) => fixed(v, 2)).join(' ')} at end)`,
    '',
    `Daily sweeps of a ${incremental.keys}-key org in realistic use (${Object.entries(incremental.kinds).map(([kind, n]) => `${n} ${kind}`).join(', ')}); ` +
      `between day 1 and day 2: ${churn.used} keys used, ${churn.created} created, ${churn.deleted} deleted, ${churn.described} described anew, ` +
      `${churn.reroled} re-roled, ${churn.entriesAdded} given an entry`,
    table(
      ['run', 'wall', 'requests', 'listing / access lists / writes / 401 / 429', 'keys read / skipped', 'actions', 'state items get / put / budget', 'time in keys.get / put', 'DynamoDB requests', 'wall / bound'],
      [
        dayRow('day 1: full read, fills the state (dry run)', incremental.day1),
        dayRow('day 2: incremental (execute)', incremental.incremental),
        dayRow('day 2: full, same org (execute)', incremental.full),
      ],
    ),
    `Writes on day 2: incremental ${incremental.writes.incremental}, full ${incremental.writes.full}, ${incremental.writes.differing} differ. ` +
      `Key-state writes per key read: day 1 ${fixed(incremental.stateWritesPerKeyRead.day1, 3)}, day 2 ${fixed(incremental.stateWritesPerKeyRead.day2, 3)}.`,
    `Day 8 with nothing changed after day 2 (fullReadEveryDays 7): ${Object.entries(incremental.day8Reads).map(([reason, n]) => `${n} ${reason}`).join(', ')}.`,
    '',
    table(
      ['second client (100 requests/min, time-scaled)', 'requests', 'rate /s', '429s', 'other errors', 'sweep wall', 'keys read', "worker's 429s"],
      results.secondClient.map((run) => [
        `during a sweep of ${run.keys} keys at share ${run.share}`,
        String(run.reader.requests),
        fixed(run.reader.perSecond, 1),
        String(run.reader.status429),
        String(run.reader.errors),
        seconds(run.sweepWallMs),
        String(run.sweepKeysRead),
        String(run.worker429),
      ]),
    ),
    '',
    `Revocation: key at place ${revocation.listingPosition} of ${revocation.listed} in the listing, ${seconds(revocation.wallMs)}, ` +
      `${revocation.requests} requests (${revocation.listingPages} listing pages), ${revocation.status429} 429s, ${revocation.revoked ? 'revoked' : 'NOT revoked'}; ` +
      `CPU ${seconds(revocation.cpuMs)} in the handler's process`,
    `Module load: handler ${fixed(loadRatio.handlerMs.median, 1)} ms ÷ reference ${fixed(loadRatio.referenceMs.median, 1)} ms (medians of ${loadRatio.runs}, alternating) = ` +
      `${fixed(loadRatio.ratio, 2)}; CPU time ${fixed(loadRatio.handlerMs.cpuMedian, 1)} ÷ ${fixed(loadRatio.referenceMs.cpuMedian, 1)} ms = ${fixed(loadRatio.cpuRatio, 2)}; ` +
      `best-of ratio ${fixed(loadRatio.bestRatio, 2)}; ` +
      `bundles ${fixed(loadRatio.handlerBytes / 1024, 0)} KiB and ${fixed(loadRatio.referenceBytes / 1024, 0)} KiB`,
    `  handler-only parts: ${Object.entries(loadRatio.handlerOnlyParts).map(([part, bytes]) => `${part} ${fixed(bytes / 1024, 0)} KiB`).join(', ')}`,
    ...(loadRatio.attribution === undefined
      ? []
      : [
          `  without some parts (least load CPU time of ${loadRatio.attribution.runs} runs: handler ${fixed(loadRatio.attribution.handlerCpuMs, 1)} ms, ` +
            `reference ${fixed(loadRatio.attribution.referenceCpuMs, 1)} ms; saved, and the ratio to the reference by median wall / by least CPU):`,
          ...Object.entries(loadRatio.attribution.variants).map(
            ([part, v]) =>
              `    ${part}: ${fixed(v.savedCpuMs, 1)} ms saved, ratio ${fixed(v.ratio, 2)} / ${fixed(v.cpuRatio, 2)}, ${fixed(v.bytes / 1024, 0)} KiB`,
          ),
        ]),
    '',
    'Issue 14 targets',
    table(
      ['measure', 'value', 'target', 'result'],
      targets.map((target) => [
        target.name,
        `${fixed(target.value, target.unit === '' ? 0 : target.unit === 's' ? 3 : 3)}${target.unit === '' ? '' : ` ${target.unit}`}`,
        target.target,
        target.target === 'report' ? '(report)' : target.pass ? 'PASS' : 'MISS',
      ]),
    ),
  ].join('\n');
}

/** What `bench/results.json` keeps of issue 14's rows: the machine, the targets and the figures. */
export function issue14Json(results: Issue14Results, targets: readonly Target[]) {
  const cpu = cpus();
  return {
    machine: { node: process.version, cpu: cpu[0]?.model ?? 'unknown', cores: cpu.length, platform: `${process.platform}-${process.arch}` },
    targets,
    results,
  };
}
