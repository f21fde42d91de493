import { readFileSync } from 'node:fs';

export interface WorkerLogFigures {
  /** Audit records by outcome. */
  readonly outcomes: Record<string, number>;
  readonly actions: number;
  readonly keysScanned: number;
  readonly complete: boolean;
  readonly errors: number;
}

/** Reads the figures of a sweep back from the worker's JSON log lines (audit records, the sweep summary). */
export function readWorkerLog(file: string): WorkerLogFigures {
  const outcomes: Record<string, number> = {};
  let actions = 0;
  let keysScanned = 0;
  let complete = false;
  let errors = 0;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line.startsWith('{')) continue;
    let record: Record<string, unknown>;
    try {
      record = JSON.parse(line) as Record<string, unknown>;
    } catch {
      continue;
    }
    if (record['level'] === 'ERROR') errors += 1;
    if (record['audit'] === true && typeof record['outcome'] === 'string') {
      actions += 1;
      outcomes[record['outcome']] = (outcomes[record['outcome']] ?? 0) + 1;
    }
    if (record['message'] === 'sweep summary') {
      const summary = record['summary'] as { keysScanned?: number; complete?: boolean } | undefined;
      keysScanned += summary?.keysScanned ?? 0;
      complete = summary?.complete === true;
    }
  }
  return { outcomes, actions, keysScanned, complete, errors };
}
