/**
 * What a write-budget reservation costs against a real DynamoDB implementation (dynalite on 127.0.0.1):
 * requests per reservation (counted by the server), latency per reservation and throughput, sequentially and
 * with 16 in flight; plus the key-state batches of an incremental sweep. Bounded: stops by itself.
 *
 *   npx tsx bench/budget-bench.ts [--n 1000]
 */
import { cpus } from 'node:os';
import { performance } from 'node:perf_hooks';
import { createDynamoState } from '../lambda/state/dynamo-state.ts';
import { createMemoryState } from '../lambda/state/memory-state.ts';
import type { Reservation, ReserveRequest, StateBackend } from '../lambda/state/types.ts';
import { startDynalite } from '../test/helpers/dynalite.ts';

const argIndex = process.argv.indexOf('--n');
const N = argIndex > 0 ? Number(process.argv[argIndex + 1]) : 1000;
if (!Number.isInteger(N) || N < 10 || N > 100_000) throw new Error(`--n must be an integer in 10..100000 (given ${process.argv[argIndex + 1]})`);
const CONCURRENCY = 16;
const WATCHDOG_MS = 300_000;

interface Row {
  readonly name: string;
  readonly calls: number;
  readonly granted: number;
  readonly requests: number;
  readonly latencies: number[];
  readonly wallMs: number;
}

function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
}

/** Runs `count` reservations with at most `concurrency` in flight; times each one. */
async function run(state: StateBackend, count: number, concurrency: number, request: ReserveRequest) {
  const latencies: number[] = [];
  const results: Reservation[] = [];
  let next = 0;
  const started = performance.now();
  const lane = async () => {
    while (next < count) {
      next += 1;
      const t0 = performance.now();
      results.push(await state.budget.reserve(request));
      latencies.push(performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  return { latencies, results, wallMs: performance.now() - started };
}

async function main() {
  const watchdog = setTimeout(() => {
    console.error(`budget bench: still running after ${WATCHDOG_MS / 1000} s, giving up`);
    process.exit(2);
  }, WATCHDOG_MS);
  watchdog.unref();

  const dynalite = await startDynalite();
  const rows: Row[] = [];
  const checks: string[] = [];
  try {
    const state = createDynamoState({ tableName: dynalite.tableName, client: dynalite.client });
    const at = new Date('2024-03-01T12:00:00Z');
    const measure = async (name: string, target: StateBackend, concurrency: number, request: ReserveRequest, count = N) => {
      const from = dynalite.requests.length;
      const { latencies, results, wallMs } = await run(target, count, concurrency, request);
      const row = {
        name,
        calls: count,
        granted: results.filter((r) => r.granted).length,
        requests: dynalite.requests.length - from,
        latencies,
        wallMs,
      };
      rows.push(row);
      return row;
    };

    // Warm-up: connections, JIT, dynalite's first item (not reported).
    await run(state, 50, CONCURRENCY, { orgId: 'warm-up', at, limit: 1_000_000, kind: 'deleteOrgKey' });

    await measure('dynalite, sequential, granted', state, 1, { orgId: 'org-seq', at, limit: N, kind: 'deleteOrgKey' });
    await measure(`dynalite, ${CONCURRENCY} in flight, granted`, state, CONCURRENCY, { orgId: 'org-conc', at, limit: N, kind: 'deleteOrgKey' });
    const over = await measure(`dynalite, ${CONCURRENCY} in flight, limit N/2`, state, CONCURRENCY, {
      orgId: 'org-half',
      at,
      limit: N / 2,
      kind: 'deleteOrgKey',
    });
    checks.push(`limit N/2 with ${CONCURRENCY} in flight: ${over.granted} granted of ${N} (must be ${N / 2}); usage ${await state.budget.usage('org-half', at)}`);
    await measure('dynalite, sequential, refused', state, 1, { orgId: 'org-seq', at, limit: N, kind: 'deleteOrgKey' }, Math.min(N, 200));
    await measure('in-memory, sequential (baseline)', createMemoryState(), 1, { orgId: 'org-mem', at, limit: N, kind: 'deleteOrgKey' });

    // Key state: one incremental sweep's page of N keys, read then written back.
    const states = Array.from({ length: N }, (_, i) => ({
      apiUserId: `k${String(i).padStart(23, '0')}`,
      publicKey: `pk${i}`,
      descDigest: 'd',
      rolesDigest: 'r',
      policyDigest: 'p',
      nextDueMs: i % 2 === 0 ? null : 1_709_000_000_000 + i,
      lastFullReadMs: 1_708_000_000_000,
    }));
    const keyRows: string[] = [];
    for (const [name, act] of [
      ['put', () => state.keys.put('org-keys', states)],
      ['get', () => state.keys.get('org-keys', states.map((s) => s.apiUserId))],
    ] as const) {
      const from = dynalite.requests.length;
      const t0 = performance.now();
      const result = await act();
      const ms = performance.now() - t0;
      const sent = dynalite.requests.slice(from);
      const size = result instanceof Map ? ` (${result.size} found)` : '';
      keyRows.push(
        `keys.${name} ${N} keys${size}: ${sent.length} requests (${[...new Set(sent)].join(', ')}), ` +
          `${(sent.length / N).toFixed(3)} per key, ${ms.toFixed(0)} ms`,
      );
    }

    const header = ['run', 'calls', 'granted', 'requests/call', 'median ms', 'p95 ms', 'p99 ms', 'calls/s'];
    const table = rows.map((row) => {
      const sorted = [...row.latencies].sort((a, b) => a - b);
      return [
        row.name,
        String(row.calls),
        String(row.granted),
        row.name.startsWith('in-memory') ? '-' : (row.requests / row.calls).toFixed(3),
        quantile(sorted, 0.5).toFixed(3),
        quantile(sorted, 0.95).toFixed(3),
        quantile(sorted, 0.99).toFixed(3),
        ((row.calls / row.wallMs) * 1000).toFixed(0),
      ];
    });
    const widths = header.map((h, i) => Math.max(h.length, ...table.map((r) => r[i]!.length)));
    const line = (cells: readonly string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
    console.log(`\nWrite-budget reservations against dynalite on 127.0.0.1 (N=${N}; Node ${process.version}; ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'})\n`);
    console.log(line(header));
    console.log(widths.map((w) => '-'.repeat(w)).join('  '));
    for (const row of table) console.log(line(row));
    console.log('');
    for (const text of [...checks, ...keyRows]) console.log(text);
    console.log(
      '\nrequests/call counts what dynalite received. A refusal costs 2 there (UpdateItem + GetItem): dynalite ignores\n' +
        'ReturnValuesOnConditionCheckFailure, which DynamoDB honours (1 request).',
    );
    if (over.granted !== N / 2) process.exitCode = 1;
  } finally {
    await dynalite.close();
    clearTimeout(watchdog);
  }
}

await main();
