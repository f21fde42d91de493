import { createAtlasClient } from '../../../lambda/atlas/index.ts';
import type { AtlasClient, AtlasClientOptions, ClientEvent, Flavor } from '../../../lambda/atlas/types.ts';
import type { Simulator } from '../../../sim/index.ts';

export interface ClientUnderTest {
  readonly client: AtlasClient;
  readonly events: ClientEvent[];
}

/** A client for the simulator's first worker, Digest or OAuth, recording its events. */
export function clientFor(
  sim: Simulator,
  scheme: 'digest' | 'oauth',
  flavor: Flavor = 'atlas',
  overrides: Partial<AtlasClientOptions> = {},
): ClientUnderTest {
  const worker = sim.workers[0];
  if (worker === undefined) throw new Error('the simulator has no worker credentials');
  const events: ClientEvent[] = [];
  const client = createAtlasClient({
    baseUrl: sim.baseUrl,
    flavor,
    credentials:
      scheme === 'digest'
        ? { kind: 'digest', publicKey: worker.publicKey, privateKey: worker.privateKey }
        : { kind: 'oauth', clientId: worker.clientId, clientSecret: worker.clientSecret },
    onEvent: (event) => events.push(event),
    ...overrides,
  });
  return { client, events };
}

export async function collect<T>(pages: AsyncIterable<{ results: readonly T[] }>): Promise<T[]> {
  const items: T[] = [];
  for await (const page of pages) items.push(...page.results);
  return items;
}

/** Requests logged by the simulator since `from`. */
export function requestsSince(sim: Simulator, from: number) {
  return sim.requests.slice(from);
}
