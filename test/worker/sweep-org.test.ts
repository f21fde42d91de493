import { afterEach, describe, expect, it } from 'vitest';
import { sweepOrg } from '../../lambda/worker/sweep-org.ts';
import type { SweepSummary } from '../../lambda/worker/types.ts';
import { NOW, startWorkerFixture, type WorkerFixture } from '../helpers/worker-fixture.ts';

const actionIds = (summary: SweepSummary) =>
  summary.results.map((r) => `${r.action.kind} ${r.action.apiUserId} ${'groupId' in r.action ? r.action.groupId : ''}${'entry' in r.action ? r.action.entry : ''}`);

describe('Function: sweepOrg', () => {
  let fixture: WorkerFixture;
  afterEach(() => fixture?.close());

  it('sends no write request in a dry run, yet plans every kind of action', async () => {
    // Prepare
    fixture = await startWorkerFixture({ keysPerOrg: 120, staleFraction: 0.3 });
    const keysBefore = fixture.sim.state.apiKeys.length;

    // Act
    const summary = await sweepOrg({ client: fixture.client, orgId: fixture.orgId, policy: fixture.policy(), now: NOW, dryRun: true, selfPublicKey: fixture.selfPublicKey });

    // Assess
    expect(fixture.writes()).toEqual([]);
    expect(fixture.sim.state.apiKeys).toHaveLength(keysBefore);
    expect(summary.complete).toBe(true);
    expect(summary.keysScanned).toBe(keysBefore);
    expect(new Set(summary.results.map((r) => r.action.kind))).toEqual(new Set(['pruneAccessListEntry', 'unassignFromProject', 'deleteOrgKey']));
    expect(summary.results.every((r) => r.outcome === 'skipped' && r.detail?.includes('dry run'))).toBe(true);
  });

  it('executes exactly the dry-run plan, leaves nothing to do, and never touches its own key', async () => {
    // Prepare
    fixture = await startWorkerFixture({ keysPerOrg: 150, staleFraction: 0.25 });
    const options = { client: fixture.client, orgId: fixture.orgId, policy: fixture.policy(), now: NOW, selfPublicKey: fixture.selfPublicKey };
    const planned = await sweepOrg({ ...options, dryRun: true });

    // Act
    const executed = await sweepOrg({ ...options, dryRun: false, pageSize: 40 });
    const again = await sweepOrg({ ...options, dryRun: true });

    // Assess
    expect(actionIds(executed).sort()).toEqual(actionIds(planned).sort());
    expect(executed.results.every((r) => r.outcome === 'done')).toBe(true);
    expect(fixture.writes()).toHaveLength(planned.results.length);
    expect(again.results).toEqual([]);
    const deleted = new Set(planned.results.filter((r) => r.action.kind === 'deleteOrgKey').map((r) => r.action.apiUserId));
    expect(fixture.sim.state.apiKeys.some((k) => deleted.has(k.id))).toBe(false);
    expect(fixture.sim.state.apiKeys.some((k) => k.publicKey === fixture.selfPublicKey)).toBe(true);
  });

  it('executes prunes, then unassigns, then deletes (least destructive first)', async () => {
    fixture = await startWorkerFixture({ keysPerOrg: 80, staleFraction: 0.3 });
    await sweepOrg({ client: fixture.client, orgId: fixture.orgId, policy: fixture.policy(), now: NOW, dryRun: false, selfPublicKey: fixture.selfPublicKey });

    const kinds = fixture.writes().map((w) => (w.includes('/accessList/') ? 0 : w.includes('/groups/') ? 1 : 2));
    expect(kinds.length).toBeGreaterThan(0);
    expect([...kinds].sort((a, b) => a - b)).toEqual(kinds);
  });

  it('deletes nothing when the plan exceeds maxDeletionsPerRun, and says why', async () => {
    fixture = await startWorkerFixture({ keysPerOrg: 100, staleFraction: 0.3 });
    const trips: unknown[] = [];

    const summary = await sweepOrg({
      client: fixture.client,
      orgId: fixture.orgId,
      policy: fixture.policy({ maxDeletionsPerRun: 5 }),
      now: NOW,
      dryRun: false,
      onCapTrip: (trip) => trips.push(trip),
    });

    expect(fixture.writes()).toEqual([]);
    expect(summary.capTripped).toMatchObject({ limit: 5 });
    expect(summary.capTripped!.planned).toBeGreaterThan(5);
    expect(summary.results).toEqual([]);
    expect(trips).toHaveLength(1);
  });

  it('visits every key exactly once when forced to stop every K keys, while deleting keys between stops', async () => {
    // Prepare
    fixture = await startWorkerFixture({ keysPerOrg: 230, staleFraction: 0.3 });
    const allIds = fixture.sim.state.apiKeys.map((k) => k.id);
    const base = { client: fixture.client, orgId: fixture.orgId, policy: fixture.policy(), now: NOW, dryRun: false, selfPublicKey: fixture.selfPublicKey, pageSize: 25 };

    // Act: resume from each continuation, as the next Lambda invocation would
    let summary = await sweepOrg({ ...base, maxKeys: 17 });
    let invocations = 1;
    let deletes = summary.results.filter((r) => r.action.kind === 'deleteOrgKey').length;
    while (summary.continuation) {
      summary = await sweepOrg({ ...base, maxKeys: 17, cursor: summary.continuation });
      deletes += summary.results.filter((r) => r.action.kind === 'deleteOrgKey').length;
      invocations += 1;
      expect(invocations).toBeLessThan(100);
    }

    // Assess: exactly one successful access-list read per key (Digest challenges aside)
    const reads = fixture.sim.requests
      .filter((r) => r.method === 'GET' && r.status === 200 && r.url.includes('/accessList'))
      .map((r) => /apiKeys\/([a-f0-9]{24})\/accessList/.exec(r.url)![1]);
    expect(summary.complete).toBe(true);
    expect(invocations).toBeGreaterThanOrEqual(Math.ceil(allIds.length / 17));
    expect(deletes).toBeGreaterThan(10);
    expect([...reads].sort()).toEqual([...allIds].sort());
  });

  it('sweeps an Ops Manager org over /api/public/v1.0 with Digest', async () => {
    fixture = await startWorkerFixture({ keysPerOrg: 60, staleFraction: 0.3 }, { flavor: 'ops-manager' });

    const summary = await sweepOrg({ client: fixture.client, orgId: fixture.orgId, policy: fixture.policy(), now: NOW, dryRun: false, selfPublicKey: fixture.selfPublicKey });
    const again = await sweepOrg({ client: fixture.client, orgId: fixture.orgId, policy: fixture.policy(), now: NOW, dryRun: true, selfPublicKey: fixture.selfPublicKey });

    expect(summary.results.length).toBeGreaterThan(0);
    expect(summary.results.every((r) => r.outcome === 'done')).toBe(true);
    expect(fixture.sim.requests.every((r) => r.url.startsWith('/api/public/v1.0/'))).toBe(true);
    expect(again.results).toEqual([]);
  });

  it('sweeps with a service account (OAuth) the same way', async () => {
    fixture = await startWorkerFixture({ keysPerOrg: 60, staleFraction: 0.3 }, { auth: 'oauth' });

    const summary = await sweepOrg({ client: fixture.client, orgId: fixture.orgId, policy: fixture.policy(), now: NOW, dryRun: false });

    expect(summary.results.length).toBeGreaterThan(0);
    expect(summary.results.every((r) => r.outcome === 'done')).toBe(true);
    // Without a self public key (service account), the worker's API key is still just another key: it is fresh.
    expect(fixture.sim.state.apiKeys.some((k) => k.publicKey === fixture.selfPublicKey)).toBe(true);
  });

  it('stops before the deadline and returns a continuation instead of running over', async () => {
    fixture = await startWorkerFixture({ keysPerOrg: 200 }, { sim: { latencyMs: 20 } });
    const started = Date.now();

    const summary = await sweepOrg({
      client: fixture.client,
      orgId: fixture.orgId,
      policy: fixture.policy(),
      now: NOW,
      dryRun: true,
      deadline: started + 1500,
      marginMs: 500,
      scanConcurrency: 2,
    });

    expect(Date.now() - started).toBeLessThan(1500);
    expect(summary.complete).toBe(false);
    expect(summary.continuation!.offset).toBe(summary.keysScanned);
    expect(summary.keysScanned).toBeGreaterThan(0);
  });
});
