import { MEMORY_POLICY } from './scenario.ts';
import { sweepBench } from './sweep-bench.ts';

/**
 * Node's heap limits for the function's 512 MB (the construct's default memory): Node sizes V8's heap from the
 * machine's memory (V8 `HeapSizeFromPhysicalMemory`: old generation = memory / 4 × 2 on 64-bit = 256 MB, and a
 * low-memory young generation of 1 MB semi-spaces). On this 24 GB machine the defaults would be 4 GB and
 * 16 MB, and V8 would then let garbage pile up to four times the live heap before collecting it (its heap
 * growing factor is 4 for large limits, 1.3 at 256 MB): the peak would measure the machine, not the worker.
 */
export const LAMBDA_HEAP_FLAGS = ['--max-old-space-size=256', '--max-semi-space-size=1'] as const;

export interface MemoryFigures {
  readonly keys: number;
  readonly maxRssKiB: number;
  readonly startRssKiB: number;
  readonly wallMs: number;
  readonly actions: number;
  readonly requests: number;
}

/**
 * Peak RSS of one sweep per org size, each in a fresh child process (the simulator stays in this one), with
 * the rate limit off so that 100,000 keys take a minute rather than hours, in execute mode with
 * `MEMORY_POLICY`. `resultsLimit`: through the command runner keeping at most that many results; otherwise
 * through the handler.
 */
export async function memoryBench(options: {
  readonly bundle: string;
  readonly outDir: string;
  readonly sizes: readonly number[];
  readonly resultsLimit?: number;
}): Promise<MemoryFigures[]> {
  const figures: MemoryFigures[] = [];
  for (const keys of options.sizes) {
    const run = await sweepBench({
      bundle: options.bundle,
      outDir: options.outDir,
      keys,
      rateLimit: false,
      latencyMs: 0,
      policy: MEMORY_POLICY,
      execArgv: LAMBDA_HEAP_FLAGS,
      name: `memory-${options.resultsLimit === undefined ? 'handler' : 'streamed'}-${keys}`,
      ...(options.resultsLimit === undefined ? {} : { resultsLimit: options.resultsLimit }),
    });
    if (!run.complete || run.keysVisited !== keys + 1) throw new Error(`memory run of ${keys} keys did not visit every key`);
    figures.push({ keys, maxRssKiB: run.maxRssKiB, startRssKiB: run.startRssKiB, wallMs: run.wallMs, actions: run.actions, requests: run.requests });
  }
  return figures;
}
