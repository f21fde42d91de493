import { naiveSweep } from './naive-sweep.ts';
import { ourSweep } from './our-sweep.ts';
import { revokeKey } from './revoke-key.ts';
import type { ChildReport, ChildTask } from './types.ts';

/**
 * One benchmark run in its own process (so that its peak RSS is its own, and the simulator's CPU is not on
 * its event loop). The task comes as JSON in argv[2]; the report goes back over IPC.
 */
const task = JSON.parse(process.argv[2] ?? '{}') as ChildTask;
const startRssKiB = Math.round(process.memoryUsage().rss / 1024);

async function run(): Promise<Omit<ChildReport, 'maxRssKiB' | 'startRssKiB'>> {
  switch (task.kind) {
    case 'our-sweep':
      return { kind: task.kind, ...(await ourSweep(task)) };
    case 'naive-sweep':
      return { kind: task.kind, ...(await naiveSweep(task.target, task.timeScale, new Date(), task.maxKeys)) };
    case 'revoke-key':
      return { kind: task.kind, ...(await revokeKey(task)) };
  }
}

const report: ChildReport = { ...(await run()), startRssKiB, maxRssKiB: process.resourceUsage().maxRSS };
process.send?.(report, () => process.exit(0));
