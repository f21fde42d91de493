import { afterEach, describe, expect, it } from 'vitest';
import { createAtlasClient } from '../../lambda/atlas/index.ts';
import type { AtlasClient } from '../../lambda/atlas/types.ts';
import type { Action } from '../../lambda/policy/types.ts';
import { executeActions } from '../../lambda/worker/execute-actions.ts';
import { startSimulator } from '../../sim/index.ts';
import type { Simulator } from '../../sim/types.ts';
import { NOW } from '../helpers/worker-fixture.ts';

// A bucket of 3 tokens refilled one a minute: the fourth request would wait far past any test deadline.
const TINY_BUCKET = { orgCapacity: 3, orgRefillPerMinute: 1, projectCapacity: 3, projectRefillPerMinute: 1, timeScale: 1 };

describe('Function: executeActions', () => {
  let sim: Simulator | undefined;
  let client: AtlasClient | undefined;
  afterEach(async () => {
    await client?.close();
    await sim?.close();
  });

  it('defers, without sending, the actions whose rate-limit wait would end past the deadline', async () => {
    // Prepare: six org-key deletes, a client paced to a bucket of 3
    sim = await startSimulator({ seed: { now: NOW, keysPerOrg: 8 }, rateLimit: { ...TINY_BUCKET, headers: true } });
    const worker = sim.workers[0]!;
    client = createAtlasClient({
      baseUrl: sim.baseUrl,
      flavor: 'atlas',
      credentials: { kind: 'oauth', clientId: worker.clientId, clientSecret: worker.clientSecret },
      pacing: TINY_BUCKET,
      retry: { maxAttempts: 1 },
    });
    const victims = sim.state.apiKeys.filter((k) => k.orgId === worker.orgId && k.publicKey !== worker.publicKey).slice(0, 6);
    const actions: Action[] = victims.map((key) => ({
      kind: 'deleteOrgKey',
      orgId: worker.orgId,
      apiUserId: key.id,
      reason: 'test',
      evidence: {},
    })) as Action[];
    const from = sim.requests.length;

    // Act
    const results = await executeActions(actions, { client, dryRun: false, concurrency: 6, deadline: Date.now() + 5_000 });

    // Assess: as many deletes as tokens went out and were done; the rest are deferred and never reached Atlas
    const deletes = sim.requests.slice(from).filter((r) => r.method === 'DELETE');
    const done = results.filter((r) => r.outcome === 'done');
    const deferred = results.filter((r) => r.outcome === 'skipped');
    expect(results.filter((r) => r.outcome === 'failed')).toEqual([]);
    expect(done.length).toBe(deletes.length);
    expect(done.length).toBeGreaterThan(0);
    expect(deferred.length).toBe(actions.length - done.length);
    expect(deferred.every((r) => r.detail?.startsWith('deadline'))).toBe(true);
  });
});
