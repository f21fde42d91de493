import { incrementalSweep } from './incremental-sweep.ts';
import type { BenchChildReport, BenchChildTask } from './incremental-types.ts';
import { revokeKey } from './revoke-key.ts';

/**
 * One run of issue 14's benchmarks in its own process (the simulator's and dynalite's CPU stay in the parent).
 * The task comes as JSON in argv[2]; the report goes back over IPC.
 */
const task = JSON.parse(process.argv[2] ?? '{}') as BenchChildTask;

/** CPU time (user + system) of this process since `from`, ms. */
const cpuSince = (from: NodeJS.CpuUsage) => {
  const used = process.cpuUsage(from);
  return (used.user + used.system) / 1000;
};

async function run(): Promise<BenchChildReport> {
  const cpu = process.cpuUsage();
  switch (task.kind) {
    case 'incremental-sweep': {
      const report = await incrementalSweep(task);
      return { ...report, cpuMs: cpuSince(cpu), maxRssKiB: process.resourceUsage().maxRSS };
    }
    case 'revoke-key': {
      const report = await revokeKey(task);
      return { kind: task.kind, ...report, cpuMs: cpuSince(cpu), maxRssKiB: process.resourceUsage().maxRSS };
    }
  }
}

process.send?.(await run(), () => process.exit(0));
