import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { buildBundle } from './build-bundle.ts';
import { bundleBench } from './bundle-bench.ts';
import { LAMBDA_HEAP_FLAGS, memoryBench } from './memory-bench.ts';
import { issue14Bench } from './issue14-bench.ts';
import { issue14Json, issue14Targets, renderIssue14 } from './issue14-report.ts';
import { extrapolateNaive, type NaiveFigures, renderReport, type Results, targetsOf } from './report.ts';
import { revocationBench } from './revocation-bench.ts';
import { CLIENT_CONNECTIONS, LATENCY_MS, MEMORY_POLICY, RATE_LIMIT, seedFor } from './scenario.ts';
import { type SweepFigures, sweepBench } from './sweep-bench.ts';

/**
 * `npm run bench`: the scale benchmark. The simulator runs in this process; every measured run is a fresh child
 * process built from `bench/child.ts`. Prints a table and writes `bench/results.json` (logs under bench/out/).
 *
 * `--naive-prefix N`: keys the naive client visits in the 10k org (default 200; the rest is extrapolated).
 * `--skip-issue14`: leave out issue 14's rows (`bench/issue14-bench.ts`, about 6 minutes; alone: `npx tsx bench/issue14.ts`).
 */
const { values } = parseArgs({ options: { 'naive-prefix': { type: 'string', default: '200' }, 'skip-issue14': { type: 'boolean', default: false } } });
const NAIVE_PREFIX = Number(values['naive-prefix']);
if (!Number.isSafeInteger(NAIVE_PREFIX) || NAIVE_PREFIX < 1) throw new RangeError(`--naive-prefix must be a whole number ≥ 1 (given ${values['naive-prefix']})`);

const OUT = 'bench/out';
const CHILD = `${OUT}/child.mjs`;
const SIZES = [1_000, 10_000] as const;
const MEMORY_SIZES = [1_000, 10_000, 100_000] as const;
const RESULTS_LIMIT = 200;

const started = performance.now();
const step = (what: string) => console.error(`[${((performance.now() - started) / 1000).toFixed(0).padStart(4)} s] ${what}`);
mkdirSync(OUT, { recursive: true });
await buildBundle('bench/child.ts', CHILD, 'node20');

// First, while nothing else has run yet: module-load timing is the figure most sensitive to a busy machine.
step('handler bundle');
const bundle = await bundleBench(OUT);

const ours: SweepFigures[] = [];
for (const keys of SIZES) {
  step(`our sweep, ${keys} keys`);
  ours.push(await sweepBench({ bundle: CHILD, outDir: OUT, keys }));
}

const naive: NaiveFigures[] = [];
let planMatch: Results['planMatch'] = { keys: 0, oursWrites: 0, naiveWrites: 0, differing: 0 };
for (const keys of SIZES) {
  const maxKeys = keys > 1_000 ? NAIVE_PREFIX : undefined;
  step(`naive sweep, ${keys} keys${maxKeys ? ` (first ${maxKeys} keys)` : ''}`);
  const run = await sweepBench({ bundle: CHILD, outDir: OUT, keys, naive: maxKeys === undefined ? {} : { maxKeys } });
  const mine = ours.find((figures) => figures.keys === keys);
  if (maxKeys === undefined && mine) {
    const theirs = new Set(run.writes);
    const shared = mine.writes.filter((write) => theirs.has(write)).length;
    planMatch = { keys, oursWrites: mine.writes.length, naiveWrites: run.writes.length, differing: mine.writes.length + run.writes.length - 2 * shared };
  }
  const scaled = extrapolateNaive(run, RATE_LIMIT.orgCapacity, (RATE_LIMIT.orgRefillPerMinute / 60) * RATE_LIMIT.timeScale);
  naive.push({ ...scaled, slowerThanOursBy: mine ? scaled.wallMs / mine.wallMs : Number.NaN });
}

step('peak RSS through the handler');
const handlerMemory = await memoryBench({ bundle: CHILD, outDir: OUT, sizes: MEMORY_SIZES });
step(`peak RSS through the command runner, resultsLimit ${RESULTS_LIMIT}`);
const streamedMemory = await memoryBench({ bundle: CHILD, outDir: OUT, sizes: MEMORY_SIZES, resultsLimit: RESULTS_LIMIT });

step('leaked-key revocation');
const revocation = await revocationBench({ bundle: CHILD, outDir: OUT, keys: 10_000 });

const issue14 = values['skip-issue14'] ? undefined : await issue14Bench({ outDir: OUT, step });
const issue14Rows = issue14 === undefined ? undefined : issue14Targets(issue14);

const results: Results = {
  ours: ours.map(({ writes: _writes, ...figures }) => figures),
  naive,
  planMatch,
  memory: { handler: handlerMemory, streamed: streamedMemory, heapFlags: LAMBDA_HEAP_FLAGS },
  bundle,
  revocation,
};
const targets = targetsOf(results);
const durationMs = performance.now() - started;
console.log(renderReport(results, targets));
if (issue14 !== undefined && issue14Rows !== undefined) console.log(`\n${renderIssue14(issue14, issue14Rows)}`);
console.log(`\nnpm run bench took ${(durationMs / 60_000).toFixed(1)} min`);

const cpu = cpus();
writeFileSync(
  'bench/results.json',
  `${JSON.stringify(
    {
      machine: { node: process.version, cpu: cpu[0]?.model ?? 'unknown', cores: cpu.length, platform: `${process.platform}-${process.arch}` },
      scenario: {
        rateLimit: RATE_LIMIT,
        latencyMs: LATENCY_MS,
        seed: (({ keysPerOrg: _keys, ...seed }) => seed)(seedFor(0)),
        clientConnections: CLIENT_CONNECTIONS,
        naivePrefixKeys: NAIVE_PREFIX,
        memoryResultsLimit: RESULTS_LIMIT,
        memoryPolicy: MEMORY_POLICY,
      },
      targets,
      results,
      ...(issue14 === undefined || issue14Rows === undefined ? {} : { issue14: issue14Json(issue14, issue14Rows) }),
      durationMs: Math.round(durationMs),
    },
    (_key, value: unknown) => (typeof value === 'number' && !Number.isInteger(value) ? Math.round(value * 1000) / 1000 : value),
    2,
  )}\n`,
);
