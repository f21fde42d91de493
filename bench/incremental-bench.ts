import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ApiKey } from '../lambda/atlas/types.ts';
import { parsePolicy } from '../lambda/policy/parse-policy.ts';
import { policyDigest } from '../lambda/policy/policy-digest.ts';
import { createDynamoState } from '../lambda/state/index.ts';
import { readReason, type ReadReason } from '../lambda/worker/select-reads.ts';
import { startSimulator, WORKER_KEY_DESC } from '../sim/index.ts';
import type { Simulator } from '../sim/types.ts';
import { startDynalite } from '../test/helpers/dynalite.ts';
import type { IncrementalSweepTask, StateUse } from './incremental-types.ts';
import { type ChurnSummary, dailyChurn, realisticOrg } from './realistic-org.ts';
import { type RequestBreakdown, requestBreakdown } from './request-breakdown.ts';
import { runBenchChild } from './run-bench-child.ts';
import { CLIENT_CONNECTIONS, LATENCY_MS, RATE_LIMIT, TIME_SCALE } from './scenario.ts';
import { shareBound } from './share-bound.ts';

const DAY_MS = 86_400_000;

export interface DaySweep {
  readonly wallMs: number;
  /** The sweeping process's CPU time, ms. */
  readonly cpuMs: number;
  readonly requests: RequestBreakdown;
  /** Keys in the listing (read + skipped). */
  readonly keysListed: number;
  /** Keys whose access list was read. */
  readonly keysRead: number;
  readonly keysSkipped: number;
  readonly actions: number;
  readonly outcomes: Readonly<Record<string, number>>;
  readonly findings: number;
  readonly complete: boolean;
  /** The state as the worker called it (items), and the requests dynalite received meanwhile, by operation. */
  readonly state: StateUse & { readonly dynamoRequests: Readonly<Record<string, number>> };
  /** The token-bucket bound of these requests at the sweep's share, and wall ÷ bound. */
  readonly shareBoundMs: number;
  readonly wallToShareBound: number;
  readonly share: number;
}

export interface IncrementalFigures {
  readonly keys: number;
  readonly share: number;
  readonly kinds: Readonly<Record<string, number>>;
  readonly churn: ChurnSummary;
  /** Day 1: a full read that fills the state table (dry run, share 1: its time is not a figure). */
  readonly day1: DaySweep;
  /** Day 2 on two identical orgs: incremental (with day 1's state) and full (stateless), both executing. */
  readonly incremental: DaySweep;
  readonly full: DaySweep;
  /** incremental ÷ full. */
  readonly requestsRatio: number;
  readonly wallRatio: number;
  /** The two day-2 runs' successful writes (method and path): how many each made, and how many differ. */
  readonly writes: { readonly incremental: number; readonly full: number; readonly differing: number };
  /** Key-state items written per access list read, on day 2 (target ≤ 1) and on day 1. */
  readonly stateWritesPerKeyRead: { readonly day1: number; readonly day2: number };
  /**
   * The keys a sweep on day 8 would read if nothing changed after day 2, by reason: those read only on day 1 reach
   * `fullReadEveryDays` (7) together.
   */
  readonly day8Reads: Readonly<Partial<Record<ReadReason, number>>>;
}

export interface IncrementalBenchOptions {
  readonly bundle: string;
  readonly outDir: string;
  /** @default 10_000 */
  readonly keys?: number;
  /** The configured `rateLimitShare`. @default 0.5 */
  readonly share?: number;
}

const countBy = (items: readonly string[]) => {
  const counts: Record<string, number> = {};
  for (const item of items) counts[item] = (counts[item] ?? 0) + 1;
  return counts;
};

/**
 * Issue 14's daily incremental sweep against a full one. Two simulators hold the same realistic org
 * (`realisticOrg`: most keys used within days). Day 1: a full read of org A fills the state table (dynalite).
 * Then a day passes on both orgs alike (`dailyChurn`: keys used, created, deleted, changed), and on day 2 org A
 * gets the incremental sweep (day 1's state) and org B the full one, both executing at the configured share.
 */
export async function incrementalBench(options: IncrementalBenchOptions): Promise<IncrementalFigures> {
  const keys = options.keys ?? 10_000;
  const share = options.share ?? 0.5;
  const t0 = Date.now();
  let offsetMs = 0;
  const simNow = () => new Date(Date.now() + offsetMs);
  const org = realisticOrg({ keys, seed: 42, nowMs: t0 });
  const dynalite = await startDynalite();
  const sims: Simulator[] = [];
  try {
    await dynalite.createTable('full-sweep-state');
    for (let index = 0; index < 2; index += 1) {
      sims.push(await startSimulator({ fixture: structuredClone(org.state), latencyMs: LATENCY_MS, rateLimit: RATE_LIMIT, now: simNow }));
    }
    const [simA, simB] = sims as [Simulator, Simulator];
    const worker = simA.workers[0];
    if (worker === undefined) throw new Error('the org has no worker key');
    const target = (sim: Simulator) => ({ baseUrl: sim.baseUrl, orgId: worker.orgId, publicKey: worker.publicKey, privateKey: worker.privateKey });

    const sweep = async (sim: Simulator, name: string, task: Pick<IncrementalSweepTask, 'dryRun' | 'incremental' | 'share'> & { tableName: string }) => {
      const fromLog = sim.requests.length;
      const fromDynamo = dynalite.requests.length;
      const nowMs = simNow().getTime();
      const report = await runBenchChild(
        options.bundle,
        {
          kind: 'incremental-sweep',
          target: target(sim),
          timeScale: TIME_SCALE,
          connections: CLIENT_CONNECTIONS,
          share: task.share,
          nowMs,
          dryRun: task.dryRun,
          incremental: task.incremental,
          state: { endpoint: dynalite.endpoint, tableName: task.tableName },
        },
        join(options.outDir, `issue14-${name}.log`),
      );
      const log = sim.requests.slice(fromLog);
      const bound = shareBound(log, task.share);
      if ((report.outcomes['failed'] ?? 0) > 0) throw new Error(`${name}: ${report.outcomes['failed']} actions failed`);
      const figures: DaySweep = {
        wallMs: report.wallMs,
        cpuMs: report.cpuMs,
        requests: requestBreakdown(log),
        keysListed: report.keysScanned + report.keysSkipped,
        keysRead: report.keysScanned,
        keysSkipped: report.keysSkipped,
        actions: report.actionsTotal,
        outcomes: report.outcomes,
        findings: report.findingsTotal,
        complete: report.complete,
        state: { ...report.state, dynamoRequests: countBy(dynalite.requests.slice(fromDynamo)) },
        shareBoundMs: bound.boundMs,
        wallToShareBound: bound.boundMs > 0 ? report.wallMs / bound.boundMs : Number.NaN,
        share: task.share,
      };
      const writes = log
        .filter((entry) => entry.method === 'DELETE' && entry.status >= 200 && entry.status < 300)
        .map((entry) => `${entry.method} ${entry.url}`);
      return { figures, writes, nowMs };
    };

    // Day 1: nothing is stale (the org is kept clean), so a dry run leaves both orgs alike.
    const day1 = await sweep(simA, 'day1-populate', { dryRun: true, incremental: true, share: 1, tableName: dynalite.tableName });

    offsetMs = DAY_MS;
    const window = { fromMs: t0, toMs: t0 + DAY_MS, seed: 4242 };
    const churn = dailyChurn(simA.state, worker.orgId, window);
    const churnB = dailyChurn(simB.state, worker.orgId, window);
    if (JSON.stringify(churn) !== JSON.stringify(churnB)) throw new Error('the two orgs changed differently between the days');
    // A day went by: org A's bucket, drained by day 1, is full again (as org B's is).
    await sleep((RATE_LIMIT.orgCapacity / ((RATE_LIMIT.orgRefillPerMinute / 60) * TIME_SCALE)) * 1000 + 500);

    const incremental = await sweep(simA, 'day2-incremental', { dryRun: false, incremental: true, share, tableName: dynalite.tableName });
    const full = await sweep(simB, 'day2-full', { dryRun: false, incremental: false, share, tableName: 'full-sweep-state' });

    const theirs = new Set(full.writes);
    const shared = incremental.writes.filter((write) => theirs.has(write)).length;
    // Day 8 at day 1's time of day (a minute later): day 1's reads are then 7 days old.
    const day8Reads = await projectDay8(dynalite, simA, worker.orgId, day1.nowMs + 7 * DAY_MS + 60_000);
    return {
      keys,
      share,
      kinds: org.kinds,
      churn,
      day1: day1.figures,
      incremental: incremental.figures,
      full: full.figures,
      requestsRatio: incremental.figures.requests.total / full.figures.requests.total,
      wallRatio: incremental.figures.wallMs / full.figures.wallMs,
      writes: { incremental: incremental.writes.length, full: full.writes.length, differing: incremental.writes.length + full.writes.length - 2 * shared },
      stateWritesPerKeyRead: {
        day1: day1.figures.state.keyItemsWritten / Math.max(1, day1.figures.keysRead),
        day2: incremental.figures.state.keyItemsWritten / Math.max(1, incremental.figures.keysRead),
      },
      day8Reads,
    };
  } finally {
    for (const sim of sims) await sim.close();
    await dynalite.close();
  }
}

/** Why a sweep at `atMs` would read each key of org A's listing, from the state table as day 2 left it. */
async function projectDay8(
  dynalite: Awaited<ReturnType<typeof startDynalite>>,
  sim: Simulator,
  orgId: string,
  atMs: number,
): Promise<Partial<Record<ReadReason, number>>> {
  const policy = parsePolicy({ orgs: [{ orgId }], maxWritesPerOrgPerDay: 100_000 }, 'policy');
  const context = { policyDigest: policyDigest(policy), nowMs: atMs, fullReadEveryDays: policy.fullReadEveryDays };
  const keys = sim.state.apiKeys.filter((key) => key.orgId === orgId && key.desc !== WORKER_KEY_DESC);
  const store = createDynamoState({ tableName: dynalite.tableName, client: dynalite.client }).keys;
  const reasons: Partial<Record<ReadReason, number>> = {};
  for (let from = 0; from < keys.length; from += 500) {
    const page = keys.slice(from, from + 500);
    const states = await store.get(orgId, page.map((key) => key.id));
    for (const key of page) {
      // As the listing shows the key (`sim/views.ts`): org roles carry the org's id.
      const roles = key.roles.map((role) =>
        role.groupId === undefined ? { orgId: role.orgId ?? key.orgId, roleName: role.roleName } : { groupId: role.groupId, roleName: role.roleName },
      );
      const listed: ApiKey = { id: key.id, publicKey: key.publicKey, roles, ...(key.desc === null ? {} : { desc: key.desc }) };
      const reason = readReason(listed, states.get(key.id), context);
      reasons[reason] = (reasons[reason] ?? 0) + 1;
    }
  }
  return reasons;
}
