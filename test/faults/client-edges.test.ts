import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AtlasDeadlineError, AtlasMalformedResponseError, createAtlasClient } from '../../lambda/atlas/index.ts';
import type { AtlasClient } from '../../lambda/atlas/types.ts';
import { startSimulator } from '../../sim/index.ts';
import type { Simulator } from '../../sim/types.ts';

/** Edges of the client that the fault matrix found: each was a way to lose or misreport a deletion. */
describe('Atlas client › fault edges', () => {
  let sim: Simulator;
  let client: AtlasClient;
  let orgId: string;
  const victim = () => sim.state.apiKeys.find((k) => k.orgId === orgId && k.id !== sim.workers[0]!.apiKeyId)!;

  beforeAll(async () => {
    sim = await startSimulator({ seed: { keysPerOrg: 6 } });
    const worker = sim.workers[0]!;
    orgId = worker.orgId;
    client = createAtlasClient({
      baseUrl: sim.baseUrl,
      flavor: 'atlas',
      credentials: { kind: 'oauth', clientId: worker.clientId, clientSecret: worker.clientSecret },
      retry: { maxAttempts: 3, baseDelayMs: 5, maxDelayMs: 20 },
    });
    await client.getOrg(orgId);
  });
  afterEach(() => sim.clearFaults());
  afterAll(async () => {
    await client.close();
    await sim.close();
  });

  it('a DELETE answered 200 with a body that is not JSON is not counted as deleted', async () => {
    // Prepare
    const key = victim();
    sim.addFault({ method: 'DELETE', times: 1, fault: { kind: 'malformed' } });

    // Act
    const error = await client.deleteOrgKey(orgId, key.id).catch((thrown: unknown) => thrown);

    // Assess: the key is still there, and the caller knows the delete did not happen
    expect(error).toBeInstanceOf(AtlasMalformedResponseError);
    expect(sim.state.apiKeys.some((k) => k.id === key.id)).toBe(true);
    expect(await client.deleteOrgKey(orgId, key.id)).toBe('done');
  });

  it('a fractional deadline (e.g. from a Lambda remaining time) is accepted', async () => {
    const org = await client.getOrg(orgId, { deadline: Date.now() + 5_000.5 });
    expect(org.id).toBe(orgId);
  });

  it('sends nothing once the deadline has passed', async () => {
    // Prepare
    const before = sim.requests.length;

    // Act
    const error = await client.deleteOrgKey(orgId, victim().id, { deadline: Date.now() - 1 }).catch((thrown: unknown) => thrown);

    // Assess
    expect(error).toBeInstanceOf(AtlasDeadlineError);
    expect(sim.requests.length).toBe(before);
  });
});
