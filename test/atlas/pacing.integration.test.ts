import { describe, expect, it } from 'vitest';
import { type Simulator, startSimulator } from '../../sim/index.ts';
import { clientFor } from './helpers/sim-client.ts';

// Small buckets, refilled 60× faster than real time: 5 tokens, 60 per second.
const rateLimit = { orgCapacity: 5, orgRefillPerMinute: 60, projectCapacity: 5, projectRefillPerMinute: 60, timeScale: 60 };

async function burst(sim: Simulator, pacing: boolean, maxAttempts: number) {
  const orgId = sim.workers[0]!.orgId;
  const key = sim.state.apiKeys.find((candidate) => candidate.orgId === orgId && candidate.id !== sim.workers[0]!.apiKeyId)!;
  const { client, events } = clientFor(sim, 'digest', 'atlas', {
    pacing: pacing ? rateLimit : false,
    retry: { maxAttempts },
  });
  const from = sim.requests.length;
  const results = await Promise.allSettled(
    Array.from({ length: 30 }, async () => {
      for await (const page of client.listAccessList(orgId, key.id)) return page.results.length;
      return 0;
    }),
  );
  await client.close();
  return { results, events, sent: sim.requests.slice(from) };
}

describe('Class: AtlasClient › pacing', () => {
  it('a burst of 30 calls against a 5-token bucket gets no 429 when paced', async () => {
    const sim = await startSimulator({ seed: { keysPerOrg: 3 }, rateLimit: { ...rateLimit, headers: true } });
    const { results, events, sent } = await burst(sim, true, 1);
    await sim.close();
    expect(results.every((result) => result.status === 'fulfilled')).toBe(true);
    expect(sent.filter((entry) => entry.status === 429)).toEqual([]);
    expect(events.some((event) => event.type === 'paced')).toBe(true);
  });

  it('the same burst unpaced does meet 429s (the test above is not vacuous)', async () => {
    // One token a minute after the first 5: the outcome cannot depend on how fast the machine sends the burst.
    const sim = await startSimulator({ seed: { keysPerOrg: 3 }, rateLimit: { orgCapacity: 5, orgRefillPerMinute: 1, headers: true } });
    const { results, sent } = await burst(sim, false, 1);
    await sim.close();
    expect(sent.filter((entry) => entry.status === 429).length).toBeGreaterThanOrEqual(24);
    expect(results.filter((result) => result.status === 'rejected').length).toBeGreaterThanOrEqual(24);
  });

  it('adapts to the server: a bucket it already half-spent (other callers) still gets no 429', async () => {
    const sim = await startSimulator({ seed: { keysPerOrg: 3 }, rateLimit: { ...rateLimit, headers: true } });
    // Another client of the same org spends tokens first; ours learns it from RateLimit-Remaining.
    await burst(sim, true, 3);
    const { results, sent } = await burst(sim, true, 1);
    await sim.close();
    expect(results.every((result) => result.status === 'fulfilled')).toBe(true);
    expect(sent.filter((entry) => entry.status === 429)).toEqual([]);
  });
});
