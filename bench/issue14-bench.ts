import { mkdirSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { buildBundle } from './build-bundle.ts';
import { type IncrementalFigures, incrementalBench } from './incremental-bench.ts';
import { type LastKeyRevocationFigures, lastKeyRevocationBench } from './last-key-revocation-bench.ts';
import { type LoadRatioFigures, loadRatioBench } from './load-ratio-bench.ts';
import { type SecondClientFigures, secondClientBench } from './second-client-bench.ts';

export interface Issue14Results {
  readonly loadRatio: LoadRatioFigures;
  readonly revocation: LastKeyRevocationFigures;
  readonly incremental: IncrementalFigures;
  readonly secondClient: readonly SecondClientFigures[];
  /** `os.loadavg()` (1, 5, 15 minutes) before and after: this machine is shared, and busy. */
  readonly loadAverage: { readonly start: readonly number[]; readonly end: readonly number[] };
  readonly durationMs: number;
}

export interface Issue14BenchOptions {
  /** Logs and bundles go here. @default 'bench/out' */
  readonly outDir?: string;
  /** Progress lines (stderr by default). */
  readonly step?: (what: string) => void;
}

/**
 * Issue 14's benchmark rows, all against the simulator on 127.0.0.1 with Atlas's buckets time-scaled 60×: module
 * load ÷ a Powertools reference, leaked-key revocation, the daily incremental sweep against a full one (with the
 * full sweep's wall ÷ bound at the share and the state table's cost), a second client during a sweep at share 0.5
 * and 1. Every sweep runs in a fresh child process bundled from `bench/incremental-child.ts`. About 6 minutes.
 */
export async function issue14Bench(options: Issue14BenchOptions = {}): Promise<Issue14Results> {
  const outDir = options.outDir ?? 'bench/out';
  const step = options.step ?? ((what: string) => console.error(what));
  const started = performance.now();
  const start = loadavg();
  mkdirSync(outDir, { recursive: true });
  const bundle = join(outDir, 'incremental-child.mjs');
  await buildBundle('bench/incremental-child.ts', bundle, 'node20');

  // First, while nothing else of ours runs: module-load timing is the figure most sensitive to a busy machine.
  step('issue 14: handler module load ÷ Powertools reference');
  const loadRatio = await loadRatioBench({ outDir });
  step('issue 14: leaked-key revocation, last key of 10k');
  const revocation = await lastKeyRevocationBench({ bundle, outDir });
  step('issue 14: daily incremental vs full sweep, 10k keys (day 1, then day 2 both ways)');
  const incremental = await incrementalBench({ bundle, outDir });
  step('issue 14: second client during a sweep, share 0.5 and 1');
  const secondClient = await secondClientBench({ bundle, outDir });
  return {
    loadRatio,
    revocation,
    incremental,
    secondClient,
    loadAverage: { start, end: loadavg() },
    durationMs: performance.now() - started,
  };
}
