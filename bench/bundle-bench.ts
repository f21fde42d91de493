import { spawnSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildBundle } from './build-bundle.ts';
import { policyFor } from './scenario.ts';

export interface BundleFigures {
  /** index.mjs as the construct builds it (target node24), bytes; the source map is a separate file. */
  readonly bytes: number;
  readonly gzipBytes: number;
  /** The largest parts of the bundle, bytes by package. */
  readonly largestParts: Readonly<Record<string, number>>;
  /** `await import(bundle)` in a fresh process (target node20, which this machine runs), ms. */
  readonly loadMs: { readonly median: number; readonly min: number; readonly max: number; readonly runs: number[] };
  /** The same with `--enable-source-maps`, which the construct sets in NODE_OPTIONS. */
  readonly loadWithSourceMapsMs: { readonly median: number; readonly runs: number[] };
}

const median = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
};

/** Imports `bundle` in a fresh Node process and returns how long the import took, ms. */
function timeImport(bundle: string, flags: readonly string[]): number {
  const url = pathToFileURL(resolve(bundle)).href;
  const script = `const t = performance.now(); await import(${JSON.stringify(url)}); process.stdout.write(String(performance.now() - t));`;
  const result = spawnSync(process.execPath, [...flags, '--input-type=module', '-e', script], {
    encoding: 'utf8',
    timeout: 60_000,
    env: {
      PATH: process.env['PATH'] ?? '',
      // What the handler reads at load: the policy and credentials (the Atlas CLI variables; no secret needed).
      KEY_POLICY: JSON.stringify(policyFor('0123456789abcdef01234567')),
      MONGODB_ATLAS_PUBLIC_API_KEY: 'abcdefgh',
      MONGODB_ATLAS_PRIVATE_API_KEY: '00000000-0000-0000-0000-000000000000',
      AWS_REGION: 'us-east-1',
    },
  });
  const ms = Number(result.stdout);
  if (result.status !== 0 || !Number.isFinite(ms)) throw new Error(`importing the bundle failed: ${result.stderr.slice(0, 500)}`);
  return ms;
}

/** Builds the handler like the CDK construct, then measures its size and its module-load time. */
export async function bundleBench(outDir: string, runs = 10): Promise<BundleFigures> {
  const sized = join(outDir, 'handler-node24', 'index.mjs');
  const timed = join(outDir, 'handler-node20', 'index.mjs');
  const parts = await buildBundle('lambda/handler.ts', sized, 'node24');
  await buildBundle('lambda/handler.ts', timed, 'node20');
  timeImport(timed, []); // warm the file cache once; not counted
  const plain = Array.from({ length: runs }, () => timeImport(timed, []));
  const mapped = Array.from({ length: runs }, () => timeImport(timed, ['--enable-source-maps']));
  const round = (values: number[]) => values.map((value) => Math.round(value * 10) / 10);
  return {
    bytes: statSync(sized).size,
    gzipBytes: gzipSync(readFileSync(sized)).length,
    largestParts: Object.fromEntries(Object.entries(parts).sort(([, a], [, b]) => b - a).slice(0, 8)),
    loadMs: { median: median(plain), min: Math.min(...plain), max: Math.max(...plain), runs: round(plain) },
    loadWithSourceMapsMs: { median: median(mapped), runs: round(mapped) },
  };
}
