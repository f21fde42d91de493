import type { BundleFigures } from './bundle-bench.ts';
import type { MemoryFigures } from './memory-bench.ts';
import type { RevocationFigures } from './revocation-bench.ts';
import type { SweepFigures } from './sweep-bench.ts';

export interface Target {
  readonly name: string;
  readonly value: number;
  readonly unit: string;
  /** e.g. `≤ 1.05` */
  readonly target: string;
  readonly pass: boolean;
  readonly note?: string;
}

export interface NaiveFigures extends Omit<SweepFigures, 'writes'> {
  /** Set when the run covered only the first keys and the figures are extrapolated to the whole org. */
  readonly extrapolatedFrom?: { readonly keysVisited: number; readonly wallMs: number; readonly requests: number };
  /** naive wall / our wall for the same org. */
  readonly slowerThanOursBy: number;
}

/**
 * Scales a naive run over the first keys of an org to the whole org: the listing is kept as measured, the
 * per-key part (access-list reads, then that share of the plan's writes) grows linearly with the keys.
 */
export function extrapolateNaive(run: SweepFigures, capacity: number, refillPerSecond: number): Omit<NaiveFigures, 'slowerThanOursBy'> {
  const { writes: _writes, ...figures } = run;
  const listing = run.listing;
  if (listing === undefined || run.keysVisited >= listing.keysListed) return figures;
  const factor = listing.keysListed / run.keysVisited;
  const listRequests = listing.pages * 2; // a challenge and a signed request per page
  const scale = (total: number, fixed: number) => Math.round(fixed + (total - fixed) * factor);
  const wallMs = listing.ms + (run.wallMs - listing.ms) * factor;
  const busiest = scale(run.busiestBucketRequests, listing.pages);
  const boundMs = (Math.max(0, busiest - capacity) / refillPerSecond) * 1000;
  return {
    ...figures,
    keysVisited: listing.keysListed,
    wallMs,
    requests: scale(run.requests, listRequests),
    tokenRequests: scale(run.tokenRequests, listing.pages),
    challenges401: scale(run.challenges401, listing.pages),
    status429: Math.round(run.status429 * factor),
    actions: Math.round(run.actions * factor),
    busiestBucketRequests: busiest,
    boundMs,
    ratioToBound: boundMs > 0 ? wallMs / boundMs : Number.NaN,
    complete: false,
    extrapolatedFrom: { keysVisited: run.keysVisited, wallMs: run.wallMs, requests: run.requests },
  };
}

const fixed = (value: number, digits: number) => (Number.isFinite(value) ? value.toFixed(digits) : '–');
const seconds = (ms: number) => `${fixed(ms / 1000, 2)} s`;
const mib = (kib: number) => `${fixed(kib / 1024, 1)} MiB`;

export interface Results {
  readonly ours: readonly Omit<SweepFigures, 'writes'>[];
  readonly naive: readonly NaiveFigures[];
  readonly planMatch: { readonly keys: number; readonly oursWrites: number; readonly naiveWrites: number; readonly differing: number };
  readonly memory: { readonly handler: readonly MemoryFigures[]; readonly streamed: readonly MemoryFigures[]; readonly heapFlags: readonly string[] };
  readonly bundle: BundleFigures;
  readonly revocation: RevocationFigures;
}

/** Every target of the scale issue, with the measured value and pass/miss. */
export function targetsOf(results: Results): Target[] {
  const targets: Target[] = [];
  for (const run of results.ours) {
    targets.push({ name: `sweep ${run.keys} keys: wall / token-bucket bound`, value: run.ratioToBound, unit: '×', target: '≤ 1.05', pass: run.ratioToBound <= 1.05 });
    const share = run.status429 / run.requests;
    targets.push({ name: `sweep ${run.keys} keys: 429s / requests`, value: share * 100, unit: '%', target: '≤ 1 %', pass: share <= 0.01 });
  }
  for (const run of results.naive) {
    targets.push({
      name: `naive / ours, ${run.keys} keys${run.extrapolatedFrom ? ` (naive extrapolated from ${run.extrapolatedFrom.keysVisited} keys)` : ''}`,
      value: run.slowerThanOursBy,
      unit: '×',
      target: '≥ 5',
      pass: run.slowerThanOursBy >= 5,
    });
  }
  for (const [label, runs] of [
    ['handler, 200 results kept, all logged', results.memory.handler],
    ['command runner, resultsLimit 200', results.memory.streamed],
  ] as const) {
    const small = runs.find((run) => run.keys === 1_000);
    const large = runs.find((run) => run.keys === 100_000);
    if (small && large) {
      const ratio = large.maxRssKiB / small.maxRssKiB;
      targets.push({ name: `peak RSS 100k / 1k keys (${label})`, value: ratio, unit: '×', target: '≤ 1.2', pass: ratio <= 1.2 });
    }
  }
  const kib = results.bundle.bytes / 1024;
  targets.push({ name: 'handler bundle size', value: kib, unit: 'KiB', target: '≤ 600 KiB', pass: kib <= 600 });
  targets.push({ name: 'handler module load (median of 10)', value: results.bundle.loadMs.median, unit: 'ms', target: '≤ 150 ms', pass: results.bundle.loadMs.median <= 150 });
  targets.push({
    name: `leaked-key revocation, ${results.revocation.keys} keys`,
    value: results.revocation.wallMs / 1000,
    unit: 's',
    target: '≤ 2 s',
    pass: results.revocation.revoked && results.revocation.wallMs <= 2000,
  });
  return targets;
}

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((cell, column) => Math.max(cell.length, ...rows.map((row) => (row[column] ?? '').length)));
  const line = (cells: readonly string[]) => `| ${cells.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join(' | ')} |`;
  return [line(header), line(widths.map((width) => '-'.repeat(width))), ...rows.map(line)].join('\n');
}

/** The human-readable report: the runs, then the targets. */
export function renderReport(results: Results, targets: readonly Target[]): string {
  const sweepRows = [...results.ours.map((run) => ['ours', run] as const), ...results.naive.map((run) => ['naive', run] as const)].map(
    ([who, run]) => [
      `${who}${'extrapolatedFrom' in run && run.extrapolatedFrom ? `*` : ''}`,
      String(run.keys),
      seconds(run.wallMs),
      String(run.requests),
      String(run.challenges401),
      String(run.status429),
      seconds(run.boundMs),
      fixed(run.ratioToBound, 3),
      String(run.actions),
      who === 'ours' ? `${run.replay.refillLostWhileFullMs} ms / ${run.replay.tokensLeftAtEnd}` : '–',
    ],
  );
  const memoryRows = [...results.memory.handler.map((run) => ['handler', run] as const), ...results.memory.streamed.map((run) => ['resultsLimit 200', run] as const)].map(
    ([path, run]) => [path, String(run.keys), mib(run.maxRssKiB), mib(run.startRssKiB), seconds(run.wallMs), String(run.actions)],
  );
  const naiveNotes = results.naive
    .filter((run) => run.extrapolatedFrom)
    .map(
      (run) =>
        `* naive ${run.keys}: extrapolated linearly from its first ${run.extrapolatedFrom?.keysVisited} keys ` +
        `(${seconds(run.extrapolatedFrom?.wallMs ?? 0)}, ${run.extrapolatedFrom?.requests} requests measured; listing kept as measured).`,
    );
  const { bundle, revocation, planMatch } = results;
  return [
    'Sweeps (execute mode; Atlas buckets org 500 + 250/min, project 1200 + 500/min, time-scaled 60×; 50 ms latency)',
    table(['client', 'keys', 'wall', 'requests', '401s', '429s', 'bound', 'wall/bound', 'actions', 'lost while full / tokens left'], sweepRows),
    ...naiveNotes,
    `Plans: ours and naive at ${planMatch.keys} keys made ${planMatch.oursWrites} and ${planMatch.naiveWrites} writes; ${planMatch.differing} differ.`,
    '',
    `Peak RSS (execute mode, nothing pruned; rate limit off, no latency; child heap flags ${results.memory.heapFlags.join(' ')})`,
    table(['path', 'keys', 'peak RSS', 'RSS at start', 'wall', 'actions'], memoryRows),
    '',
    `Bundle: ${bundle.bytes} bytes (${fixed(bundle.bytes / 1024, 1)} KiB, ${fixed(bundle.gzipBytes / 1024, 1)} KiB gzipped); ` +
      `module load median ${fixed(bundle.loadMs.median, 1)} ms (min ${fixed(bundle.loadMs.min, 1)}, max ${fixed(bundle.loadMs.max, 1)}), ` +
      `${fixed(bundle.loadWithSourceMapsMs.median, 1)} ms with --enable-source-maps\n` +
      `  largest parts: ${Object.entries(bundle.largestParts).map(([name, bytes]) => `${name} ${fixed(bytes / 1024, 0)} KiB`).join(', ')}`,
    `Revocation: key at place ${revocation.listingPosition} of ${revocation.keys + 1}, ${seconds(revocation.wallMs)}, ${revocation.requests} requests, ` +
      `${revocation.status429} 429s, ${revocation.revoked ? 'revoked' : 'NOT revoked'}`,
    '',
    'Targets',
    table(
      ['measure', 'value', 'target', 'result'],
      targets.map((target) => [target.name, `${fixed(target.value, target.unit === 'ms' || target.unit === 'KiB' ? 1 : target.unit === '%' ? 3 : 3)} ${target.unit}`, target.target, target.pass ? 'pass' : 'MISS']),
    ),
  ].join('\n');
}
