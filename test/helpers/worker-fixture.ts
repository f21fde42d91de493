import { createAtlasClient } from '../../lambda/atlas/index.ts';
import type { AtlasClient, AtlasClientOptions, Flavor } from '../../lambda/atlas/types.ts';
import { parsePolicy } from '../../lambda/policy/parse-policy.ts';
import type { Policy, PolicyInput } from '../../lambda/policy/schema.ts';
import { startSimulator } from '../../sim/index.ts';
import type { SeedSpec, Simulator, SimulatorOptions } from '../../sim/types.ts';

/** A fixed "now" so that the seeded ages and the planner agree whatever day the tests run. */
export const NOW = new Date('2026-11-01T12:00:00Z');

export interface WorkerFixture {
  readonly sim: Simulator;
  readonly client: AtlasClient;
  readonly orgId: string;
  readonly selfPublicKey: string;
  policy(overrides?: Partial<PolicyInput>): Policy;
  /** Requests that change state (DELETE, POST, PATCH, PUT), token requests excluded. */
  writes(): string[];
  close(): Promise<void>;
}

export async function startWorkerFixture(
  seed: SeedSpec = {},
  options: {
    flavor?: Flavor;
    auth?: 'digest' | 'oauth';
    sim?: Omit<SimulatorOptions, 'seed'>;
    /** Client options over the fixture's (pacing, retries, onEvent). */
    client?: Partial<Omit<AtlasClientOptions, 'baseUrl' | 'flavor' | 'credentials'>>;
  } = {},
): Promise<WorkerFixture> {
  const sim = await startSimulator({ ...options.sim, seed: { now: NOW, ...seed } });
  const worker = sim.workers[0]!;
  const client = createAtlasClient({
    baseUrl: sim.baseUrl,
    flavor: options.flavor ?? 'atlas',
    credentials:
      options.auth === 'oauth'
        ? { kind: 'oauth', clientId: worker.clientId, clientSecret: worker.clientSecret }
        : { kind: 'digest', publicKey: worker.publicKey, privateKey: worker.privateKey },
    retry: { maxAttempts: 3, baseDelayMs: 5, maxDelayMs: 50 },
    ...options.client,
  });
  return {
    sim,
    client,
    orgId: worker.orgId,
    selfPublicKey: worker.publicKey,
    policy: (overrides = {}) => parsePolicy({ orgs: [{ orgId: worker.orgId }], maxWritesPerOrgPerDay: 10_000, ...overrides }),
    writes: () =>
      sim.requests.filter((r) => r.method !== 'GET' && !r.url.startsWith('/api/oauth/')).map((r) => `${r.method} ${r.url}`),
    close: async () => {
      await client.close();
      await sim.close();
    },
  };
}
