import { join } from 'node:path';
import { startSimulator } from '../sim/index.ts';
import type { RequestLogEntry, Simulator } from '../sim/types.ts';
import { readWorkerLog } from './read-worker-log.ts';
import { runChild } from './run-child.ts';
import { CLIENT_CONNECTIONS, LATENCY_MS, RATE_LIMIT, seedFor, TIME_SCALE } from './scenario.ts';
import { type BucketReplay, replayBusiestBucket, tokenBound } from './token-bound.ts';
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
  /** Where the time above the bound went (rate-limited runs). */
  readonly replay: BucketReplay;
  readonly actions: number;
  readonly outcomes: Record<string, number>;
  readonly keysVisited: number;
  readonly complete: boolean;
  readonly maxRssKiB: number;
  readonly startRssKiB: number;
  /** Requests of the busiest bucket (the one that sets the bound). */
  readonly busiestBucketRequests: number;
  /** Successful writes (method and path, ids replaced by places), to compare two clients' plans; not in results.json. */
  readonly writes: readonly string[];
  /** Naive runs: the listing part, for extrapolating a prefix run. */
  readonly listing?: { readonly ms: number; readonly pages: number; readonly keysListed: number };
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
  /** Ours through the command runner with this `resultsLimit` (default: through the handler). */
  readonly resultsLimit?: number;
  /** Policy fields over the benchmark's policy. */
  readonly policy?: Readonly<Record<string, unknown>>;
  /** Node flags of the child (heap limits). */
  readonly execArgv?: readonly string[];
  /** Log file name (under outDir) without extension. */
  readonly name?: string;
}

function targetOf(sim: Simulator): WorkerTarget {
  const worker = sim.workers[0];
  if (worker === undefined) throw new Error('the simulator has no org');
  return { baseUrl: sim.baseUrl, orgId: worker.orgId, publicKey: worker.publicKey, privateKey: worker.privateKey };
}

/** An access-list path's IPv6 entry in its compressed form (our client sends it expanded, the naive one not). */
function canonicalEntry(path: string): string {
  const match = /^(.*\/accessList\/)([^/]+)(\/\d+)?$/.exec(path);
  const address = match?.[2];
  if (match === null || address === undefined || !address.includes(':')) return path;
  return `${match[1]}${new URL(`http://[${address}]`).hostname.slice(1, -1)}${match[3] ?? ''}`;
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
    // Ids carry the generation time, so two simulators of the same seed differ in them: name every org, project
    // and key by its place in the generated state instead, to compare two clients' writes.
    const places = new Map<string, string>([
      ...sim.state.orgs.map((org, index) => [org.id, `org${index}`] as const),
      ...sim.state.projects.map((project, index) => [project.id, `project${index}`] as const),
      ...sim.state.apiKeys.map((key, index) => [key.id, `key${index}`] as const),
    ]);
    const byPlace = (url: string) => canonicalEntry(decodeURIComponent(url)).replace(/[a-f0-9]{24}/g, (id) => places.get(id) ?? id);
    const target = targetOf(sim);
    const name = options.name ?? `${options.naive ? 'naive' : 'ours'}-${options.keys}${rateLimited ? '' : '-unlimited'}`;
    const logFile = join(options.outDir, `${name}.log`);
    const report = await runChild(
      options.bundle,
      options.naive
        ? { kind: 'naive-sweep', target, timeScale: TIME_SCALE, ...(options.naive.maxKeys === undefined ? {} : { maxKeys: options.naive.maxKeys }) }
        : {
            kind: 'our-sweep',
            target,
            pacing: rateLimited,
            timeScale: TIME_SCALE,
            connections: CLIENT_CONNECTIONS,
            ...(options.resultsLimit === undefined ? {} : { resultsLimit: options.resultsLimit }),
            ...(options.policy === undefined ? {} : { policy: options.policy }),
          },
      logFile,
      options.execArgv,
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
      replay: replayBusiestBucket(log),
      actions: fromLog?.actions ?? report.actions ?? 0,
      outcomes: fromLog?.outcomes ?? { ...report.outcomes },
      keysVisited: fromLog?.keysScanned ?? report.keysVisited ?? 0,
      complete: fromLog?.complete ?? report.keysVisited === report.keysListed,
      maxRssKiB: report.maxRssKiB,
      startRssKiB: report.startRssKiB,
      busiestBucketRequests: buckets[0]?.requests ?? 0,
      writes: log
        .filter((entry) => entry.method === 'DELETE' && entry.status >= 200 && entry.status < 300)
        .map((entry) => `${entry.method} ${byPlace(entry.url)}`)
        .sort(),
      ...(options.naive ? { listing: { ms: report.listMs ?? 0, pages: report.listPages ?? 0, keysListed: report.keysListed ?? 0 } } : {}),
    };
  } finally {
    await sim.close();
  }
}
