import { afterEach, describe, expect, it } from 'vitest';
import { message, metric, onNth, startWorld, type World } from './trust-world.ts';

/**
 * Issue 11, case 4: after a 401 mid-sweep the session re-read the credentials and ran the whole sweep again
 * inside the same invocation, with a fresh per-run cap: 510 org keys deleted with a cap of 300. Reproduced
 * through the handler: the worker's key is rotated (in Atlas and in Secrets Manager) while the sweep is
 * deleting; the durable budget (dynalite) carries over into the re-run.
 */
describe('Trust case 4 › a 401 re-run does not get a fresh budget', () => {
  let world: World | undefined;
  afterEach(async () => {
    await world?.close();
    world = undefined;
  });

  it('510 stale keys, cap 300, the secret rotated at the 150th DELETE: at most 300 deletions', { timeout: 180_000 }, async () => {
    // Prepare
    world = await startWorld({ noon: true });
    const w = world;
    const ids = Array.from({ length: 510 }, () => w.addKey({ entries: [{ address: '203.0.113.77', createdDaysAgo: 500, lastUsedDaysAgo: 250 }] }).id);
    const container = w.container({ dryRun: false, maxWritesPerOrgPerDay: 300 });
    const rotated = 'a1b2c3d4-0000-4000-8000-rotatedrotat';
    onNth(w, 150, (request) => request.method === 'DELETE', () => {
      // Atlas has the new private key from now on; Secrets Manager serves it; the container still caches the old.
      w.sim.state.apiKeys.find((k) => k.id === w.worker.apiKeyId)!.privateKey = rotated;
      w.secrets.set(w.secretId, JSON.stringify({ publicKey: w.worker.publicKey, privateKey: rotated, baseUrl: w.sim.baseUrl }));
    });

    // Act
    const delivery = await container.deliver([message({ action: 'sweep', orgId: w.orgId })]);

    console.error("PROF", w.sim.requests.length, w.dynalite.requests.length, w.sim.requests.filter((r) => r.status === 401).length, w.sim.requests[w.sim.requests.length-1]!.at - w.sim.requests[0]!.at);
    // Assess: the 401s happened, the secret was read again and the sweep re-run; the budget still held
    const gone = ids.filter((id) => w.key(id) === undefined).length;
    expect(w.sim.requests.some((r) => r.status === 401 && r.method === 'DELETE')).toBe(true);
    expect(w.secretReads()).toBe(2);
    expect(gone, 'deletions across the run and its re-run').toBeLessThanOrEqual(300);
    expect(gone).toBeGreaterThanOrEqual(149);
    expect(await w.budgetUsed()).toBe(300);
    expect(metric(delivery.records, 'BudgetRefused')).toBeGreaterThan(0);
  });
});
