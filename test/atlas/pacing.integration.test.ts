import { describe, expect, it } from 'vitest';
import { AtlasDeadlineError } from '../../lambda/atlas/index.ts';
import { type Simulator, startSimulator } from '../../sim/index.ts';
import { clientFor, requestsSince } from './helpers/sim-client.ts';

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

  it('with share 0.5 leaves half of what the server shows to others; an urgent call may still use it', async () => {
    // Prepare: a 10-token bucket refilled once a minute, and a frozen client clock: only counts decide.
    const sim = await startSimulator({ seed: { keysPerOrg: 3 }, rateLimit: { orgCapacity: 10, orgRefillPerMinute: 1 } });
    const orgId = sim.workers[0]!.orgId;
    const frozen = Date.parse('2025-03-01T00:00:00Z');
    const { client } = clientFor(sim, 'digest', 'atlas', {
      now: () => frozen,
      pacing: { orgCapacity: 10, orgRefillPerMinute: 1, share: 0.5 },
      retry: { maxAttempts: 1 },
    });
    await client.getOrg(orgId); // the Digest challenge, on another bucket
    const from = sim.requests.length;

    // Act: normal calls until the pacer refuses to wait (it would wait forever on a frozen clock), then one urgent.
    let ours = 0;
    let refused: unknown;
    while (refused === undefined && ours < 10) {
      refused = await client.getOrgKeysPage(orgId, 1, { deadline: frozen + 1_000 }).then(
        () => undefined,
        (thrown: unknown) => thrown,
      );
      if (refused === undefined) ours += 1;
    }
    const urgent = await client.getOrgKeysPage(orgId, 1, { deadline: frozen + 1_000, urgent: true });
    await client.close();
    await sim.close();

    // Assess: the server was left 6 tokens (≥ the 5 held back for others; one more is the pacer's usual slack),
    // the refused call was never sent, and the urgent one was.
    expect(ours).toBe(4);
    expect(refused).toBeInstanceOf(AtlasDeadlineError);
    expect(urgent.results).toHaveLength(4);
    expect(requestsSince(sim, from).map((entry) => entry.status)).toEqual([200, 200, 200, 200, 200]);
  });
});
