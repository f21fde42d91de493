import { incrementalSweep } from './incremental-sweep.ts';
import type { BenchChildReport, BenchChildTask } from './incremental-types.ts';
import { revokeKey } from './revoke-key.ts';

/**
 * One run of issue 14's benchmarks in its own process (the simulator's and dynalite's CPU stay in the parent).
 * The task comes as JSON in argv[2]; the report goes back over IPC.
 */
const task = JSON.parse(process.argv[2] ?? '{}') as BenchChildTask;

async function run(): Promise<BenchChildReport> {
  switch (task.kind) {
    case 'incremental-sweep':
      return { ...(await incrementalSweep(task)), maxRssKiB: process.resourceUsage().maxRSS };
    case 'revoke-key':
      return { kind: task.kind, ...(await revokeKey(task)), maxRssKiB: process.resourceUsage().maxRSS };
  }
}

process.send?.(await run(), () => process.exit(0));
