import { join } from 'node:path';
import { startSimulator } from '../sim/index.ts';
import type { RequestLogEntry, Simulator } from '../sim/types.ts';
import { readWorkerLog } from './read-worker-log.ts';
import { runChild } from './run-child.ts';
import { CLIENT_CONNECTIONS, LATENCY_MS, RATE_LIMIT, seedFor, TIME_SCALE } from './scenario.ts';
import { tokenBound } from './token-bound.ts';
import type { WorkerTarget } from './types.ts';

export interface SweepFigures {
  readonly keys: number;
  readonly wallMs: number;
  /** Every HTTP request the simulator saw (Digest challenges and 429s included). */
  readonly requests: number;
  /** Requests that took a rate-limit token. */
  readonly tokenRequests: number;
  readonly status429: number;
  readonly challenges401: number;
  readonly boundMs: number;
  /** wall / bound. */
  readonly ratioToBound: number;
  readonly slowestBucket: string;
  readonly actions: number;
  readonly outcomes: Record<string, number>;
  readonly keysVisited: number;
  readonly complete: boolean;
  readonly maxRssKiB: number;
  readonly startRssKiB: number;
}

export interface SweepBenchOptions {
  readonly bundle: string;
  readonly outDir: string;
  readonly keys: number;
  /** Atlas's buckets, time-scaled (default); `false`: no server limit and no client pacing. */
  readonly rateLimit?: boolean;
  /** @default LATENCY_MS */
  readonly latencyMs?: number;
  /** The naive client instead of ours, on the first `maxKeys` keys when given. */
  readonly naive?: { readonly maxKeys?: number };
}

function targetOf(sim: Simulator): WorkerTarget {
  const worker = sim.workers[0];
  if (worker === undefined) throw new Error('the simulator has no org');
  return { baseUrl: sim.baseUrl, orgId: worker.orgId, publicKey: worker.publicKey, privateKey: worker.privateKey };
}

const count = (log: readonly RequestLogEntry[], status: number) => log.filter((entry) => entry.status === status).length;

/** One sweep of a freshly seeded org: the simulator here, the sweep in a child process. */
export async function sweepBench(options: SweepBenchOptions): Promise<SweepFigures> {
  const rateLimited = options.rateLimit ?? true;
  const sim = await startSimulator({
    seed: seedFor(options.keys),
    latencyMs: options.latencyMs ?? LATENCY_MS,
    ...(rateLimited ? { rateLimit: RATE_LIMIT } : {}),
  });
  try {
    const target = targetOf(sim);
    const name = `${options.naive ? 'naive' : 'ours'}-${options.keys}${rateLimited ? '' : '-unlimited'}`;
    const logFile = join(options.outDir, `${name}.log`);
    const report = await runChild(
      options.bundle,
      options.naive
        ? { kind: 'naive-sweep', target, timeScale: TIME_SCALE, ...(options.naive.maxKeys === undefined ? {} : { maxKeys: options.naive.maxKeys }) }
        : { kind: 'our-sweep', target, pacing: rateLimited, timeScale: TIME_SCALE, connections: CLIENT_CONNECTIONS },
      logFile,
    );
    const log = sim.requests;
    const { boundMs, buckets } = tokenBound(log);
    const fromLog = options.naive ? undefined : readWorkerLog(logFile);
    if (!options.naive && (report.failures ?? 0) > 0) throw new Error(`${name}: the sweep message failed; see ${logFile}`);
    return {
      keys: options.keys,
      wallMs: report.wallMs,
      requests: log.length,
      tokenRequests: buckets.reduce((sum, bucket) => sum + bucket.requests, 0),
      status429: count(log, 429),
      challenges401: count(log, 401),
      boundMs,
      ratioToBound: boundMs > 0 ? report.wallMs / boundMs : Number.NaN,
      slowestBucket: buckets[0]?.bucket.split(':')[0] ?? '-',
      actions: fromLog?.actions ?? report.actions ?? 0,
      outcomes: fromLog?.outcomes ?? { ...report.outcomes },
      keysVisited: fromLog?.keysScanned ?? report.keysVisited ?? 0,
      complete: fromLog?.complete ?? report.keysVisited === report.keysListed,
      maxRssKiB: report.maxRssKiB,
      startRssKiB: report.startRssKiB,
    };
  } finally {
    await sim.close();
  }
}
