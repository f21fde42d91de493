import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
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
  readonly handlerMs: { readonly median: number; readonly runs: readonly number[] };
  readonly referenceMs: { readonly median: number; readonly runs: readonly number[] };
  /** handler median ÷ reference median. */
  readonly ratio: number;
  readonly handlerBytes: number;
  readonly referenceBytes: number;
  /** The handler bundle's largest parts that the reference does not hold (bytes by package or folder). */
  readonly handlerOnlyParts: Readonly<Record<string, number>>;
  /**
   * When measured (the ratio missed, or asked for): per module of ours, the load time it adds on top of the
   * reference (a bundle of the reference plus that module, median − reference median), ms.
   */
  readonly marginalMs?: Readonly<Record<string, number>>;
}

export interface LoadRatioOptions {
  readonly outDir: string;
  /** @default 10 */
  readonly runs?: number;
  /** Measure each module's marginal load time: 'auto' (default) does so only when the ratio misses. */
  readonly attribute?: boolean | 'auto';
  /** The ratio's target (attribution runs when it is missed in 'auto' mode). @default 1.25 */
  readonly target?: number;
}

/**
 * The handler's parts measured one by one on top of the reference: each is what one path of the handler needs.
 * `export *` keeps what the module exports, and what that pulls in, as the handler's own import does.
 */
const PROBES: Readonly<Record<string, string>> = {
  'state: DynamoDB (lambda/state/dynamo-state.ts)': 'lambda/state/dynamo-state.ts',
  'work queue: SQS client (lambda/runtime/enqueue-commands.ts + @aws-sdk/client-sqs)': 'lambda/runtime/enqueue-commands.ts',
  'Atlas client: undici Agent, Digest, pacing (lambda/atlas/index.ts)': 'lambda/atlas/index.ts',
  'policy: zod schema, re2js (lambda/policy/parse-policy.ts)': 'lambda/policy/parse-policy.ts',
  'rotation (lambda/rotation/create-rotation-handler.ts)': 'lambda/rotation/create-rotation-handler.ts',
  'check (lambda/check/run-runtime-check.ts)': 'lambda/check/run-runtime-check.ts',
  'sweep and commands (lambda/worker/run-command.ts)': 'lambda/worker/run-command.ts',
};

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

/** `await import(bundle)` in a fresh Node process, timed inside it, ms. */
function timeImport(bundle: string): number {
  const url = pathToFileURL(resolve(bundle)).href;
  const script = `const t = performance.now(); await import(${JSON.stringify(url)}); process.stdout.write(String(performance.now() - t));`;
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 60_000, env: loadEnv() });
  const ms = Number(result.stdout);
  if (result.status !== 0 || !Number.isFinite(ms)) throw new Error(`importing ${bundle} failed: ${result.stderr.slice(0, 500)}`);
  return ms;
}

/** Times each bundle `runs` times, in alternation (the order rotating every round), after one unrecorded warm-up each. */
function timeAlternating(bundles: readonly string[], runs: number): number[][] {
  for (const bundle of bundles) timeImport(bundle);
  const times = bundles.map((): number[] => []);
  for (let round = 0; round < runs; round += 1) {
    for (let step = 0; step < bundles.length; step += 1) {
      const index = (round + step) % bundles.length;
      times[index]?.push(timeImport(bundles[index] as string));
    }
  }
  return times;
}

const round1 = (values: readonly number[]) => values.map((value) => Math.round(value * 10) / 10);
const total = (parts: Readonly<Record<string, number>>) => Object.values(parts).reduce((sum, bytes) => sum + bytes, 0);

/** Builds both bundles the construct's way and measures the ratio; attributes the handler's excess when asked. */
export async function loadRatioBench(options: LoadRatioOptions): Promise<LoadRatioFigures> {
  const runs = options.runs ?? 10;
  const dir = join(options.outDir, 'load-ratio');
  mkdirSync(dir, { recursive: true });
  const handlerBundle = join(dir, 'handler', 'index.mjs');
  const referenceBundle = join(dir, 'reference', 'index.mjs');
  const handlerParts = await buildBundle('lambda/handler.ts', handlerBundle, 'node20');
  const referenceParts = await buildBundle('bench/reference-handler.ts', referenceBundle, 'node20');
  const [handlerRuns = [], referenceRuns = []] = timeAlternating([handlerBundle, referenceBundle], runs);
  const handlerMedian = median(handlerRuns);
  const referenceMedian = median(referenceRuns);
  const ratio = handlerMedian / referenceMedian;
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
    handlerMs: { median: handlerMedian, runs: round1(handlerRuns) },
    referenceMs: { median: referenceMedian, runs: round1(referenceRuns) },
    ratio,
    handlerBytes: total(handlerParts),
    referenceBytes: total(referenceParts),
    handlerOnlyParts,
    ...(wanted ? { marginalMs: await attributeLoad(dir, referenceBundle, runs) } : {}),
  };
}

/**
 * For each probe, a bundle of the reference plus that module of ours, built the same way; its median load minus
 * the reference's (measured again, alternating with the probes) is what that module adds at load.
 */
async function attributeLoad(dir: string, referenceBundle: string, runs: number): Promise<Record<string, number>> {
  const bundles: string[] = [];
  const names = Object.keys(PROBES);
  for (const [index, name] of names.entries()) {
    const module = PROBES[name] as string;
    const entry = join(dir, `probe-${index}.ts`);
    const reference = relative(dir, 'bench/reference-handler.ts');
    writeFileSync(entry, `export * from './${reference}';\nexport * as probe from './${relative(dir, module)}';\n`);
    const bundle = join(dir, `probe-${index}`, 'index.mjs');
    await buildBundle(entry, bundle, 'node20');
    bundles.push(bundle);
  }
  const times = timeAlternating([referenceBundle, ...bundles], runs);
  const base = median(times[0] ?? []);
  return Object.fromEntries(names.map((name, index) => [name, Math.round((median(times[index + 1] ?? []) - base) * 10) / 10]));
}
