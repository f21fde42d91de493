import { AtlasApiError, createAtlasClient } from '../lambda/atlas/index.ts';

export interface ReaderFigures {
  /** Requests sent (each one answered, or failed). */
  readonly requests: number;
  readonly ok: number;
  readonly status429: number;
  /** Failures other than 429s. */
  readonly errors: number;
  readonly durationMs: number;
  /** Achieved rate, requests per second (of the time-scaled clock: ÷ the time scale for real minutes). */
  readonly perSecond: number;
}

export interface TerraformReader {
  /** Stops sending, waits for the answers in flight, closes the client. */
  stop(): Promise<ReaderFigures>;
}

export interface TerraformReaderOptions {
  readonly baseUrl: string;
  readonly orgId: string;
  readonly publicKey: string;
  readonly privateKey: string;
  /** Requests per second, sent on a fixed schedule whatever the answers (open loop). */
  readonly perSecond: number;
  /** Keys it refreshes, in turn: GET of the key, then of its access list. */
  readonly keyIds: readonly string[];
}

/**
 * A second, independent client of the org: what `terraform plan` refreshing API keys and their access lists does,
 * at a steady rate. It uses its own Digest credentials and connections, does not pace itself, and does not retry
 * (a 429 is counted, as a Terraform run would see it before its own back-off).
 */
export function startTerraformReader(options: TerraformReaderOptions): TerraformReader {
  if (options.keyIds.length === 0) throw new RangeError('keyIds must list at least one key');
  const client = createAtlasClient({
    baseUrl: options.baseUrl,
    flavor: 'atlas',
    credentials: { kind: 'digest', publicKey: options.publicKey, privateKey: options.privateKey },
    pacing: false,
    retry: { maxAttempts: 1 },
    connections: 16,
  });
  const figures = { requests: 0, ok: 0, status429: 0, errors: 0 };
  const inFlight = new Set<Promise<void>>();
  const read = async (index: number) => {
    const id = options.keyIds[Math.floor(index / 2) % options.keyIds.length] as string;
    try {
      if (index % 2 === 0) await client.getOrgKey(options.orgId, id);
      else for await (const _page of client.listAccessList(options.orgId, id, { maxPages: 1 })) break;
      figures.ok += 1;
    } catch (error) {
      if (error instanceof AtlasApiError && error.status === 429) figures.status429 += 1;
      else figures.errors += 1;
    }
  };
  const started = performance.now();
  // Catches up on every tick with what the schedule says is due: a slow tick does not lower the rate.
  const timer = setInterval(() => {
    const due = Math.floor(((performance.now() - started) * options.perSecond) / 1000);
    while (figures.requests < due) {
      const request = read(figures.requests);
      figures.requests += 1;
      inFlight.add(request);
      void request.finally(() => inFlight.delete(request));
    }
  }, 5);
  return {
    async stop() {
      clearInterval(timer);
      const durationMs = performance.now() - started;
      await Promise.all(inFlight);
      await client.close();
      return { ...figures, durationMs, perSecond: (figures.requests / durationMs) * 1000 };
    },
  };
}
