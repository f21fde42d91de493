import { fork } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import type { BenchChildReport, BenchChildTask } from './incremental-types.ts';

/** Hard stop for any one child: the benchmark never hangs. */
const CHILD_TIMEOUT_MS = 10 * 60_000;

/**
 * Runs `task` in a fresh Node process from the bundled `bench/incremental-child.ts`, its stdout (the worker's
 * JSON logs) written to `logFile`. Resolves with the child's report, rejects if it exits without one.
 */
export function runBenchChild<T extends BenchChildTask>(
  bundle: string,
  task: T,
  logFile: string,
): Promise<Extract<BenchChildReport, { kind: T['kind'] }>> {
  const log = openSync(logFile, 'w');
  return new Promise((resolve, reject) => {
    const child = fork(bundle, [JSON.stringify(task)], { stdio: ['ignore', log, 'inherit', 'ipc'] });
    let report: BenchChildReport | undefined;
    const timer = setTimeout(() => child.kill('SIGKILL'), CHILD_TIMEOUT_MS);
    child.on('message', (message) => {
      report = message as BenchChildReport;
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      closeSync(log);
      if (report?.kind === task.kind) resolve(report as Extract<BenchChildReport, { kind: T['kind'] }>);
      else reject(new Error(`${task.kind} child exited (${signal ?? code}) without a report; see ${logFile}`));
    });
  });
}
