import { fork } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import type { ChildReport, ChildTask } from './types.ts';

/** Hard stop for any one child: the benchmark never hangs. */
const CHILD_TIMEOUT_MS = 20 * 60_000;

/**
 * Runs `task` in a fresh Node process from the bundled child (`bench/out/child.mjs`), its stdout (the
 * worker's JSON logs) written to `logFile`, with Node flags `execArgv`. Resolves with the child's report.
 */
export function runChild(bundle: string, task: ChildTask, logFile: string, execArgv: readonly string[] = []): Promise<ChildReport> {
  const log = openSync(logFile, 'w');
  return new Promise<ChildReport>((resolve, reject) => {
    const child = fork(bundle, [JSON.stringify(task)], { execArgv: [...execArgv], stdio: ['ignore', log, 'inherit', 'ipc'] });
    let report: ChildReport | undefined;
    const timer = setTimeout(() => child.kill('SIGKILL'), CHILD_TIMEOUT_MS);
    child.on('message', (message) => {
      report = message as ChildReport;
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      closeSync(log);
      if (report !== undefined) resolve(report);
      else reject(new Error(`${task.kind} child exited (${signal ?? code}) without a report; see ${logFile}`));
    });
  });
}
