import { join } from 'node:path';
import { startSimulator, WORKER_KEY_DESC } from '../sim/index.ts';
import { addReaderKey, realisticOrg } from './realistic-org.ts';
import { runBenchChild } from './run-bench-child.ts';
import { CLIENT_CONNECTIONS, LATENCY_MS, RATE_LIMIT, TIME_SCALE } from './scenario.ts';
import { type ReaderFigures, startTerraformReader } from './terraform-reader.ts';

/** A Terraform-like reader's rate: 100 requests a minute of Atlas's time. */
export const READER_PER_MINUTE = 100;

export interface SecondClientFigures {
  readonly share: number;
  readonly keys: number;
  readonly reader: ReaderFigures;
  readonly sweepWallMs: number;
  readonly sweepKeysRead: number;
  /** 429s the worker's own requests drew (all 429s in the log less the reader's). */
  readonly worker429: number;
  readonly requests: number;
}

/**
 * A second, independent client reading the org's keys at `READER_PER_MINUTE` (time-scaled) for the whole length
 * of a full sweep (dry run) by the worker at each `rateLimitShare`: how many 429s does it get? Each share on a
 * fresh simulator with the same realistic org and a full bucket.
 */
export async function secondClientBench(options: {
  readonly bundle: string;
  readonly outDir: string;
  /** @default 5_000 */
  readonly keys?: number;
  /** @default [0.5, 1] */
  readonly shares?: readonly number[];
}): Promise<SecondClientFigures[]> {
  const keys = options.keys ?? 5_000;
  const results: SecondClientFigures[] = [];
  for (const share of options.shares ?? [0.5, 1]) {
    const nowMs = Date.now();
    const org = realisticOrg({ keys, seed: 7, nowMs });
    const readerKey = addReaderKey(org.state, org.orgId, nowMs);
    const sim = await startSimulator({ fixture: org.state, latencyMs: LATENCY_MS, rateLimit: RATE_LIMIT });
    try {
      const worker = sim.workers[0];
      if (worker === undefined) throw new Error('the org has no worker key');
      const keyIds = sim.state.apiKeys
        .filter((key) => key.desc !== WORKER_KEY_DESC && key.id !== readerKey.id)
        .slice(0, 200)
        .map((key) => key.id);
      const reader = startTerraformReader({
        baseUrl: sim.baseUrl,
        orgId: org.orgId,
        publicKey: readerKey.publicKey,
        privateKey: readerKey.privateKey,
        perSecond: (READER_PER_MINUTE / 60) * TIME_SCALE,
        keyIds,
      });
      const report = await runBenchChild(
        options.bundle,
        {
          kind: 'incremental-sweep',
          target: { baseUrl: sim.baseUrl, orgId: worker.orgId, publicKey: worker.publicKey, privateKey: worker.privateKey },
          timeScale: TIME_SCALE,
          connections: CLIENT_CONNECTIONS,
          share,
          nowMs,
          dryRun: true,
          incremental: false,
        },
        join(options.outDir, `issue14-second-client-share-${share}.log`),
      ).catch((error: unknown) => (error instanceof Error ? error : new Error(String(error))));
      // The reader stops with the sweep, whichever way the sweep ended.
      const readerFigures = await reader.stop();
      if (report instanceof Error) throw report;
      const all429 = sim.requests.filter((entry) => entry.status === 429).length;
      results.push({
        share,
        keys,
        reader: readerFigures,
        sweepWallMs: report.wallMs,
        sweepKeysRead: report.keysScanned,
        worker429: all429 - readerFigures.status429,
        requests: sim.requests.length,
      });
    } finally {
      await sim.close();
    }
  }
  return results;
}
