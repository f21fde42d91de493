import { join } from 'node:path';
import { startSimulator } from '../sim/index.ts';
import { requestBreakdown } from './request-breakdown.ts';
import { runBenchChild } from './run-bench-child.ts';
import { LATENCY_MS, RATE_LIMIT, seedFor, TIME_SCALE } from './scenario.ts';

export interface LastKeyRevocationFigures {
  readonly keys: number;
  readonly wallMs: number;
  /** The handler process's CPU time over the revocation (building the runtime included), ms. */
  readonly cpuMs: number;
  readonly requests: number;
  readonly listingPages: number;
  readonly status429: number;
  /** The leaked key's place in the org's listing (sorted by public key, as Atlas lists): the last one. */
  readonly listingPosition: number;
  readonly listed: number;
  readonly revoked: boolean;
}

/**
 * A leaked key revoked by public key, the last of a `keys`-key org's listing (Atlas lists by public key, so the
 * greatest one: every page must be read to find it, the pages fetched concurrently), through the handler: the
 * EventBridge revocation event delivered by SQS. Rate limit on (the worker's share 0.5; revocations are exempt),
 * 50 ms latency. Timed from the handler call to its answer, on a warm container with a fresh Atlas client.
 */
export async function lastKeyRevocationBench(options: { readonly bundle: string; readonly outDir: string; readonly keys?: number }): Promise<LastKeyRevocationFigures> {
  const keys = options.keys ?? 10_000;
  const sim = await startSimulator({ seed: seedFor(keys), latencyMs: LATENCY_MS, rateLimit: RATE_LIMIT });
  try {
    const worker = sim.workers[0];
    if (worker === undefined) throw new Error('the simulator has no org');
    const listing = sim.state.apiKeys.filter((key) => key.orgId === worker.orgId).map((key) => key.publicKey);
    // Ordinal order, as the simulator and Atlas sort the listing.
    const leaked = listing.reduce((last, publicKey) => (publicKey > last ? publicKey : last));
    const report = await runBenchChild(
      options.bundle,
      {
        kind: 'revoke-key',
        target: { baseUrl: sim.baseUrl, orgId: worker.orgId, publicKey: worker.publicKey, privateKey: worker.privateKey },
        timeScale: TIME_SCALE,
        leakedPublicKey: leaked,
      },
      join(options.outDir, 'issue14-revocation.log'),
    );
    const requests = requestBreakdown(sim.requests);
    return {
      keys,
      wallMs: report.wallMs,
      cpuMs: report.cpuMs,
      requests: requests.total,
      listingPages: requests.listingPages,
      status429: requests.status429,
      listingPosition: [...listing].sort().indexOf(leaked) + 1,
      listed: listing.length,
      revoked: report.failures === 0 && !sim.state.apiKeys.some((key) => key.publicKey === leaked),
    };
  } finally {
    await sim.close();
  }
}
