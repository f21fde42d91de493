import { afterEach, describe, expect, it } from 'vitest';
import type { Action } from '../../lambda/policy/types.ts';
import { executeActions } from '../../lambda/worker/execute-actions.ts';
import { startWorkerFixture, type WorkerFixture } from '../helpers/worker-fixture.ts';

// A bucket of 3 tokens refilled one a minute: the fourth request would wait far past any test deadline.
const TINY_BUCKET = { orgCapacity: 3, orgRefillPerMinute: 1, projectCapacity: 3, projectRefillPerMinute: 1, timeScale: 1 };

describe('Function: executeActions', () => {
  let fixture: WorkerFixture | undefined;
  afterEach(() => fixture?.close());

  it('defers, without sending, the actions whose rate-limit wait would end past the deadline', async () => {
    // Prepare: six org-key deletes, a client paced to a bucket of 3
    fixture = await startWorkerFixture(
      { keysPerOrg: 8 },
      { auth: 'oauth', sim: { rateLimit: { ...TINY_BUCKET, headers: true } }, client: { pacing: TINY_BUCKET, retry: { maxAttempts: 1 } } },
    );
    const { sim, client, orgId, selfPublicKey } = fixture;
    const victims = sim.state.apiKeys.filter((k) => k.orgId === orgId && k.publicKey !== selfPublicKey).slice(0, 6);
    const actions: Action[] = victims.map((key) => ({
      kind: 'deleteOrgKey',
      orgId,
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
