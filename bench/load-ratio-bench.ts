import { spawnSync } from 'node:child_process';
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, type Plugin } from 'esbuild';
import { buildBundle } from './build-bundle.ts';
import { policyFor } from './scenario.ts';

/**
 * Issue 14's module-load row: the handler's `await import()` in a fresh Node process divided by the same for a
 * reference bundle holding only what any Powertools SQS handler pays (Secrets Manager client, Logger, Metrics,
 * Batch: `bench/reference-handler.ts`), both built like the Lambda bundle (`buildBundle`, target node20, which
 * this machine runs), median of `runs` each, measured in alternation in the same run so that a busy machine
 * weighs on both alike. Absolute load times differ 3× between machines here; the ratio holds.
 */
export interface LoadRatioFigures {
  readonly runs: number;
  /** Wall time of the import, ms: median, and every run; `cpuMedian`: median CPU time of the import. */
  readonly handlerMs: { readonly median: number; readonly cpuMedian: number; readonly runs: readonly number[] };
  readonly referenceMs: { readonly median: number; readonly cpuMedian: number; readonly runs: readonly number[] };
  /** handler median ÷ reference median (wall time: the target's figure). */
  readonly ratio: number;
  /** The same for the CPU time the imports took (less sensitive to a busy machine). */
  readonly cpuRatio: number;
  /** Least wall time ÷ least wall time (the runs least disturbed by others). */
  readonly bestRatio: number;
  readonly handlerBytes: number;
  readonly referenceBytes: number;
  /** The handler bundle's largest parts that the reference does not hold (bytes by package or folder). */
  readonly handlerOnlyParts: Readonly<Record<string, number>>;
  /** When measured (the ratio missed, or asked for): what each part of the handler costs at load. */
  readonly attribution?: LoadAttribution;
}

export interface LoadRatioOptions {
  readonly outDir: string;
  /** @default 10 */
  readonly runs?: number;
  /** Measure each module's marginal load time: 'auto' (default) does so only when the ratio misses. */
  readonly attribute?: boolean | 'auto';
  /** Runs per variant when attributing. @default 10 */
  readonly attributionRuns?: number;
  /** The ratio's target (attribution runs when it is missed in 'auto' mode). @default 1.25 */
  readonly target?: number;
}

/**
 * The handler built without some of its parts, timed in alternation with the handler and the reference (`runs`
 * each). Per variant: the handler's load CPU time minus the variant's, the least of the runs each (differences of
 * a few tens of ms drown in the wall time, and in the medians, of a busy machine; contention only ever adds to
 * the least), the variant's median wall time ÷ the reference's and least CPU time ÷ the reference's (the ratio
 * the handler would have without those parts on its load path), and its size.
 */
export interface LoadAttribution {
  readonly runs: number;
  /** The least load CPU time of the handler and of the reference in these runs, ms. */
  readonly handlerCpuMs: number;
  readonly referenceCpuMs: number;
  readonly variants: Readonly<
    Record<string, { readonly savedCpuMs: number; readonly ratio: number; readonly cpuRatio: number; readonly bytes: number }>
  >;
}

/** A module with nothing in it: named imports from it are `undefined`, which nothing calls at load. */
const EMPTY = 'module.exports = {};';

/**
 * What the handler would load in without one dependency: the same build with that dependency's modules replaced
 * by a stub. Loading still succeeds without them: none is used at load with the benchmark's
 * environment (no STATE_TABLE_NAME, no WORK_QUEUE_URL, no pattern in the policy; the Atlas client is built on
 * first use). The difference to the handler is what that dependency costs at load.
 */
interface Stub {
  readonly filter: RegExp;
  readonly stub: string;
}

const WITHOUT: Readonly<Record<string, Stub>> = {
  'undici (Atlas transport)': { filter: /^undici(\/|$)/, stub: EMPTY },
  're2js (policy patterns)': { filter: /^re2js$/, stub: EMPTY },
  '@aws-sdk/client-dynamodb (state table)': { filter: /^@aws-sdk\/client-dynamodb$/, stub: EMPTY },
  '@aws-sdk/client-sqs (work queue)': { filter: /^@aws-sdk\/client-sqs$/, stub: EMPTY },
  // The runtime builds the rotation handler at load: the stub's one returns an empty object.
  'rotation (lambda/rotation/)': {
    filter: /\/rotation\/create-rotation-handler\.ts$/,
    stub: 'export const createRotationHandler = () => ({});',
  },
  'check (lambda/check/)': { filter: /\/check\/run-runtime-check\.ts$/, stub: 'export const runRuntimeCheck = () => ({});' },
};

/** All of `WITHOUT` at once: what the load path would hold if those parts were separate chunks loaded on first use. */
export const ONLY_INIT_PATH = 'without all six above (each a lazily loaded chunk)';

export const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
};

/** The environment the handler reads at load (policy, Atlas CLI credential variables); the reference ignores it. */
function loadEnv(): Record<string, string> {
  return {
    PATH: process.env['PATH'] ?? '',
    KEY_POLICY: JSON.stringify(policyFor('0123456789abcdef01234567')),
    MONGODB_ATLAS_PUBLIC_API_KEY: 'abcdefgh',
    MONGODB_ATLAS_PRIVATE_API_KEY: '00000000-0000-0000-0000-000000000000',
    AWS_REGION: 'us-east-1',
  };
}

/** One import: wall time, and the process's CPU time (user + system) over it, which waits on a busy machine do not count. */
interface ImportTime {
  readonly wallMs: number;
  readonly cpuMs: number;
}

/** `await import(bundle)` in a fresh Node process, timed inside it. */
function timeImport(bundle: string): ImportTime {
  const url = pathToFileURL(resolve(bundle)).href;
  const script =
    `const c = process.cpuUsage(); const t = performance.now(); await import(${JSON.stringify(url)}); ` +
    'const wall = performance.now() - t; const cpu = process.cpuUsage(c); ' +
    'process.stdout.write(JSON.stringify([wall, (cpu.user + cpu.system) / 1000]));';
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 60_000, env: loadEnv() });
  let times: unknown;
  try {
    times = JSON.parse(result.stdout);
  } catch {
    times = undefined;
  }
  if (result.status !== 0 || !Array.isArray(times) || !times.every(Number.isFinite)) {
    throw new Error(`importing ${bundle} failed: ${result.stderr.slice(-500)}`);
  }
  return { wallMs: times[0] as number, cpuMs: times[1] as number };
}

/** Times each bundle `runs` times, in alternation (the order rotating every round), after one unrecorded warm-up each. */
function timeAlternating(bundles: readonly string[], runs: number): ImportTime[][] {
  for (const bundle of bundles) timeImport(bundle);
  const times = bundles.map((): ImportTime[] => []);
  for (let round = 0; round < runs; round += 1) {
    for (let step = 0; step < bundles.length; step += 1) {
      const index = (round + step) % bundles.length;
      times[index]?.push(timeImport(bundles[index] as string));
    }
  }
  return times;
}

const round1 = (values: readonly number[]) => values.map((value) => Math.round(value * 10) / 10);

/** Builds both bundles the construct's way and measures the ratio; attributes the handler's excess when asked. */
export async function loadRatioBench(options: LoadRatioOptions): Promise<LoadRatioFigures> {
  const runs = options.runs ?? 10;
  const dir = join(options.outDir, 'load-ratio');
  mkdirSync(dir, { recursive: true });
  const handlerBundle = join(dir, 'handler', 'index.mjs');
  const referenceBundle = join(dir, 'reference', 'index.mjs');
  const handlerParts = await buildBundle('lambda/handler.ts', handlerBundle, 'node20');
  const referenceParts = await buildBundle('bench/reference-handler.ts', referenceBundle, 'node20');
  const [handlerTimes = [], referenceTimes = []] = timeAlternating([handlerBundle, referenceBundle], runs);
  const handlerRuns = handlerTimes.map((time) => time.wallMs);
  const referenceRuns = referenceTimes.map((time) => time.wallMs);
  const handlerMedian = median(handlerRuns);
  const referenceMedian = median(referenceRuns);
  const ratio = handlerMedian / referenceMedian;
  const handlerCpu = median(handlerTimes.map((time) => time.cpuMs));
  const referenceCpu = median(referenceTimes.map((time) => time.cpuMs));
  const cpuRatio = handlerCpu / referenceCpu;
  const bestRatio = Math.min(...handlerRuns) / Math.min(...referenceRuns);
  const handlerOnlyParts = Object.fromEntries(
    Object.entries(handlerParts)
      .map(([part, bytes]) => [part, bytes - (referenceParts[part] ?? 0)] as const)
      .filter(([, bytes]) => bytes > 1024)
      .sort(([, a], [, b]) => b - a)
      .slice(0, 12),
  );
  const attribute = options.attribute ?? 'auto';
  const wanted = attribute === true || (attribute === 'auto' && ratio > (options.target ?? 1.25));
  return {
    runs,
    handlerMs: { median: handlerMedian, cpuMedian: handlerCpu, runs: round1(handlerRuns) },
    referenceMs: { median: referenceMedian, cpuMedian: referenceCpu, runs: round1(referenceRuns) },
    ratio,
    cpuRatio,
    bestRatio,
    handlerBytes: statSync(handlerBundle).size,
    referenceBytes: statSync(referenceBundle).size,
    handlerOnlyParts,
    ...(wanted ? { attribution: await attributeLoad(dir, handlerBundle, referenceBundle, options.attributionRuns ?? 10) } : {}),
  };
}

/** The attribution row for the handler with every module of ours evaluated only at the first call. */
export const DEFERRED = 'evaluation of all our modules deferred to the first call (one bundle, still parsed)';


/** The banner `bench/build-bundle.ts` (and the construct) adds: `require` inside an ES module. */
const ESM_REQUIRE_BANNER =
  "import { createRequire as __awsKeyWorkerCreateRequire } from 'node:module'; " +
  'const require = __awsKeyWorkerCreateRequire(import.meta.url);';

/** `buildBundle`'s options, with the modules matched by `without` replaced by their stubs. */
async function buildWithout(entry: string, outfile: string, without: readonly Stub[]): Promise<void> {
  const stub: Plugin = {
    name: 'without',
    setup(plugin) {
      for (const [index, { filter }] of without.entries()) {
        plugin.onResolve({ filter }, () => ({ path: String(index), namespace: 'without' }));
      }
      plugin.onLoad({ filter: /.*/, namespace: 'without' }, ({ path }) => ({ contents: without[Number(path)]?.stub ?? EMPTY, loader: 'js' }));
    },
  };
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    mainFields: ['module', 'main'],
    banner: { js: ESM_REQUIRE_BANNER },
    minify: true,
    sourcemap: true,
    sourcesContent: false,
    logLevel: 'error',
    plugins: [stub],
  });
}

/**
 * The handler built without each part in turn, without all of them, and once with all of our code's evaluation
 * deferred to the first call (the floor that lazy imports inside one bundle can reach: the file is still read and
 * parsed); see `LoadAttribution`.
 */
async function attributeLoad(dir: string, handlerBundle: string, referenceBundle: string, runs: number): Promise<LoadAttribution> {
  const names = [...Object.keys(WITHOUT), ONLY_INIT_PATH, DEFERRED];
  const bundles: string[] = [];
  for (const [index, name] of names.entries()) {
    const bundle = join(dir, `without-${index}`, 'index.mjs');
    if (name === DEFERRED) {
      const entry = join(dir, 'deferred-handler.ts');
      const handler = relative(dir, 'lambda/handler.ts');
      writeFileSync(entry, `export const handler = async (event: unknown, context: never) => (await import('./${handler}')).handler(event, context);\n`);
      await buildWithout(entry, bundle, []);
    } else {
      const one = WITHOUT[name];
      await buildWithout('lambda/handler.ts', bundle, one === undefined ? Object.values(WITHOUT) : [one]);
    }
    bundles.push(bundle);
  }
  const [handler = [], reference = [], ...variants] = timeAlternating([handlerBundle, referenceBundle, ...bundles], runs);
  const leastCpu = (times: readonly ImportTime[]) => Math.min(...times.map((time) => time.cpuMs));
  const medianWall = (times: readonly ImportTime[]) => median(times.map((time) => time.wallMs));
  const round = (value: number, digits: number) => Math.round(value * 10 ** digits) / 10 ** digits;
  return {
    runs,
    handlerCpuMs: round(leastCpu(handler), 1),
    referenceCpuMs: round(leastCpu(reference), 1),
    variants: Object.fromEntries(
      names.map((name, index) => {
        const times = variants[index] ?? [];
        return [
          name,
          {
            savedCpuMs: round(leastCpu(handler) - leastCpu(times), 1),
            ratio: round(medianWall(times) / medianWall(reference), 3),
            cpuRatio: round(leastCpu(times) / leastCpu(reference), 3),
            bytes: statSync(bundles[index] as string).size,
          },
        ];
      }),
    ),
  };
}
