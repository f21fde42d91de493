import { join } from 'node:path';
import { startSimulator } from '../sim/index.ts';
import { runChild } from './run-child.ts';
import { LATENCY_MS, RATE_LIMIT, seedFor, TIME_SCALE } from './scenario.ts';

export interface RevocationFigures {
  readonly keys: number;
  readonly wallMs: number;
  readonly requests: number;
  readonly status429: number;
  /** Where the leaked key sat in the org's listing (1-based): the last place, the worst case. */
  readonly listingPosition: number;
  readonly revoked: boolean;
}

/**
 * A leaked key revoked by public key in an org of `keys` keys: the worst case, the last key of the listing,
 * so that finding it walks every page. Rate limit on, 50 ms latency.
 */
export async function revocationBench(options: { readonly bundle: string; readonly outDir: string; readonly keys: number }): Promise<RevocationFigures> {
  const sim = await startSimulator({ seed: seedFor(options.keys), latencyMs: LATENCY_MS, rateLimit: RATE_LIMIT });
  try {
    const worker = sim.workers[0];
    if (worker === undefined) throw new Error('the simulator has no org');
    const orgKeys = sim.state.apiKeys.filter((key) => key.orgId === worker.orgId);
    const leaked = orgKeys[orgKeys.length - 1];
    if (leaked === undefined) throw new Error('the org has no keys');
    const report = await runChild(
      options.bundle,
      {
        kind: 'revoke-key',
        target: { baseUrl: sim.baseUrl, orgId: worker.orgId, publicKey: worker.publicKey, privateKey: worker.privateKey },
        timeScale: TIME_SCALE,
        leakedPublicKey: leaked.publicKey,
      },
      join(options.outDir, 'revocation.log'),
    );
    return {
      keys: options.keys,
      wallMs: report.wallMs,
      requests: sim.requests.length,
      status429: sim.requests.filter((entry) => entry.status === 429).length,
      listingPosition: orgKeys.length,
      revoked: (report.failures ?? 1) === 0 && !sim.state.apiKeys.some((key) => key.id === leaked.id),
    };
  } finally {
    await sim.close();
  }
}
