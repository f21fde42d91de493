import { afterEach, describe, expect, it } from 'vitest';
import type { ActionResult } from '../../lambda/worker/types.ts';
import { sweepOrg } from '../../lambda/worker/sweep-org.ts';
import { NOW, startWorkerFixture, type WorkerFixture } from '../helpers/worker-fixture.ts';

describe('Function: sweepOrg › resultsLimit', () => {
  let fixture: WorkerFixture;
  afterEach(() => fixture?.close());

  it('keeps at most resultsLimit results, yet reports every result through onResult and keeps every failure', async () => {
    // Prepare: the deletes of two keys fail
    fixture = await startWorkerFixture({ keysPerOrg: 120, staleFraction: 0.3 });
    const options = { client: fixture.client, orgId: fixture.orgId, policy: fixture.policy(), now: NOW, selfPublicKey: fixture.selfPublicKey };
    const planned = await sweepOrg({ ...options, dryRun: true });
    const deletes = planned.results.filter((r) => r.action.kind === 'deleteOrgKey').map((r) => r.action.apiUserId);
    for (const id of deletes.slice(0, 2)) fixture.sim.addFault({ method: 'DELETE', path: `/apiKeys/${id}`, fault: { kind: 'status', status: 403 } });
    const streamed: ActionResult[] = [];

    // Act
    const summary = await sweepOrg({ ...options, dryRun: false, resultsLimit: 10, onResult: (result) => streamed.push(result) });

    // Assess
    expect(streamed).toHaveLength(planned.results.length);
    expect(summary.actionsTotal).toBe(planned.results.length);
    expect(summary.results.filter((r) => r.outcome !== 'failed')).toHaveLength(10);
    expect(summary.results.filter((r) => r.outcome === 'failed').map((r) => r.action.apiUserId).sort()).toEqual(deletes.slice(0, 2).sort());
    expect(summary.complete).toBe(true);
  });
});
