import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryState } from '../../lambda/state/index.ts';
import { sweepOrg } from '../../lambda/worker/sweep-org.ts';
import type { SweepSummary } from '../../lambda/worker/types.ts';
import { mulberry32 } from '../../sim/mulberry32.ts';
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

  it.each([
    ['prunes first (each rechecked, so refusals come one at a time)', {}],
    // Unassigns and deletes are reserved by 32 writers at once: the refusals arrive together.
    ['no prunes (refusals arrive together)', { protectedEntries: ['0.0.0.0/0', '::/0'] }],
  ])('never writes more than maxWritesPerOrgPerDay, %s: the rest is skipped with the reason, and the budget holds for the day', async (_, overrides) => {
    // Prepare: far more planned writes than the budget; one ledger shared by every run of the day
    fixture = await startWorkerFixture({ keysPerOrg: 100, staleFraction: 0.3 });
    const state = createMemoryState();
    const exhausted: unknown[] = [];
    const options = {
      client: fixture.client,
      orgId: fixture.orgId,
      policy: fixture.policy({ maxWritesPerOrgPerDay: 5, ...overrides }),
      now: NOW,
      selfPublicKey: fixture.selfPublicKey,
      budget: state.budget,
      onBudgetExhausted: (e: unknown) => exhausted.push(e),
    };
    const accessListGets = () => fixture.sim.requests.filter((r) => r.method === 'GET' && r.url.includes('/accessList')).length;
    const planned = await sweepOrg({ ...options, dryRun: true });

    // Act
    const summary = await sweepOrg({ ...options, dryRun: false });

    // Assess: five writes, every other action of the batch skipped with the reason, reported once, no continuation
    expect(planned.results.length).toBeGreaterThan(20);
    expect(await state.budget.usage(fixture.orgId, NOW)).toBe(5);
    expect(fixture.writes()).toHaveLength(5);
    expect(summary.results.filter((r) => r.outcome === 'done')).toHaveLength(5);
    const refused = summary.results.filter((r) => r.detail?.startsWith('write budget exhausted'));
    expect(refused.length).toBeGreaterThan(0);
    expect(refused.every((r) => r.outcome === 'skipped' && r.detail?.includes('maxWritesPerOrgPerDay'))).toBe(true);
    expect(summary.budgetExhausted).toEqual({ limit: 5, used: 5, skipped: refused.length });
    expect(exhausted).toEqual([{ limit: 5, used: 5 }]);
    expect(summary.complete).toBe(false);
    expect(summary.continuation).toBeUndefined();

    // Act: another run the same day (another invocation, the same ledger), then one the next UTC day
    const readsBefore = accessListGets();
    const again = await sweepOrg({ ...options, dryRun: false });
    const writesAgain = fixture.writes().length;
    const readsAgain = accessListGets() - readsBefore;
    const tomorrow = await sweepOrg({ ...options, dryRun: false, now: new Date(NOW.getTime() + 86_400_000) });

    // Assess: nothing more the same day, and no prune re-read once the budget refused (at most the 32 writers
    // already under way); a fresh budget of five the next day
    expect(writesAgain).toBe(5);
    expect(readsAgain - again.keysScanned).toBeLessThanOrEqual(32);
    expect(again.budgetExhausted).toMatchObject({ limit: 5, used: 5 });
    expect(again.results.filter((r) => r.outcome === 'done')).toEqual([]);
    expect(exhausted).toHaveLength(3);
    expect(fixture.writes()).toHaveLength(10);
    expect(tomorrow.results.filter((r) => r.outcome === 'done')).toHaveLength(5);
  });

  it('reads every key present for the whole run exactly once across continuations, while others delete and insert keys between stops', async () => {
    // Prepare
    fixture = await startWorkerFixture({ keysPerOrg: 230, staleFraction: 0.3 });
    const { sim, orgId } = fixture;
    const random = mulberry32(7);
    const publicKey = () => Array.from({ length: 8 }, () => 'abcdefghijklmnopqrstuvwxyz'[Math.floor(random() * 26)]).join('');
    const removedByOthers = new Set<string>();
    /** Keys others inserted after the run's position (the rest of the run must read them) or before it. */
    const insertedAhead = new Set<string>();
    const insertedBehind = new Set<string>();
    const othersEdit = (anchor: string) => {
      const candidates = sim.state.apiKeys.filter((k) => k.orgId === orgId && k.publicKey !== fixture.selfPublicKey);
      const victim = candidates[Math.floor(random() * candidates.length)];
      if (victim !== undefined) {
        removedByOthers.add(victim.id);
        sim.state.apiKeys = sim.state.apiKeys.filter((k) => k !== victim);
      }
      for (let i = 0; i < 2; i += 1) {
        const key = publicKey();
        if (sim.state.apiKeys.some((k) => k.publicKey === key)) continue;
        const id = `ee${String(insertedAhead.size + insertedBehind.size).padStart(22, '0')}`;
        const used = new Date(NOW.getTime() - 86_400_000).toISOString();
        sim.state.apiKeys = [
          ...sim.state.apiKeys,
          { id, publicKey: key, privateKey: 'x', desc: 'inserted by others', orgId, roles: [], accessList: [{ cidrBlock: '198.51.100.7', ipAddress: '198.51.100.7', created: used, lastUsed: used, count: 1 }] },
        ];
        (key > anchor ? insertedAhead : insertedBehind).add(id);
      }
    };
    const initial = sim.state.apiKeys.filter((k) => k.orgId === orgId).map((k) => k.id);
    const base = { client: fixture.client, orgId, policy: fixture.policy(), now: NOW, dryRun: false, selfPublicKey: fixture.selfPublicKey, pageSize: 25 };

    // Act: resume from each continuation, as the next Lambda invocation would
    let summary = await sweepOrg({ ...base, maxKeys: 17 });
    const results = [...summary.results];
    let invocations = 1;
    while (summary.continuation) {
      expect(summary.continuation).toMatchObject({ order: 'sorted', after: expect.any(String) });
      othersEdit(summary.continuation.after!);
      summary = await sweepOrg({ ...base, maxKeys: 17, cursor: summary.continuation });
      results.push(...summary.results);
      invocations += 1;
      expect(invocations).toBeLessThan(100);
    }

    // Assess: successful access-list reads per key, less the re-read before each prune (one GET per prune)
    const scans = new Map<string, number>();
    for (const r of sim.requests) {
      const id = r.method === 'GET' && r.status === 200 ? /apiKeys\/([a-f0-9]{24})\/accessList/.exec(r.url)?.[1] : undefined;
      if (id !== undefined) scans.set(id, (scans.get(id) ?? 0) + 1);
    }
    const prunes = results.filter((r) => r.action.kind === 'pruneAccessListEntry');
    for (const prune of prunes) scans.set(prune.action.apiUserId, (scans.get(prune.action.apiUserId) ?? 0) - 1);
    expect(summary.complete).toBe(true);
    expect(invocations).toBeGreaterThanOrEqual(Math.ceil(initial.length / 17));
    expect(results.filter((r) => r.action.kind === 'deleteOrgKey').length).toBeGreaterThan(10);
    expect(prunes.length).toBeGreaterThan(10);
    expect(insertedAhead.size).toBeGreaterThan(5);
    expect(removedByOthers.size).toBeGreaterThan(5);
    const present = [...initial, ...insertedAhead].filter((id) => !removedByOthers.has(id));
    expect(present.map((id) => [id, scans.get(id)])).toEqual(present.map((id) => [id, 1]));
    expect([...scans.values()].every((count) => count === 0 || count === 1)).toBe(true);
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

  it('stops scanning before the deadline and returns an anchored continuation that the next invocation resumes exactly', async () => {
    // Prepare: a clock that moves 10 ms per request the simulator answers, so time passes with the work done,
    // whatever the machine's load. The real deadline is a minute away: only the sweep's own clock runs out.
    fixture = await startWorkerFixture({ keysPerOrg: 200 });
    const { sim } = fixture;
    const start = Date.now();
    const clock = () => start + 10 * sim.requests.length;
    const sorted = sim.state.apiKeys.filter((k) => k.orgId === fixture.orgId).map((k) => k.publicKey).sort();
    const options = { client: fixture.client, orgId: fixture.orgId, policy: fixture.policy(), now: NOW, dryRun: true, scanConcurrency: 2 };

    // Act: scanning must stop 1 s (clock) after the start: deadline 60 s, margin 59 s
    const summary = await sweepOrg({ ...options, clock, deadline: start + 60_000, marginMs: 59_000 });
    const requestsAtStop = sim.requests.length;
    const rest = await sweepOrg({ ...options, ...(summary.continuation ? { cursor: summary.continuation } : {}) });

    // Assess: stopped with at most the reads in flight after the scan deadline; resumed right after the last key
    expect(summary.complete).toBe(false);
    expect(summary.keysScanned).toBeGreaterThan(0);
    expect(requestsAtStop).toBeLessThanOrEqual(100 + options.scanConcurrency);
    expect(summary.continuation).toEqual({ runId: summary.runId, order: 'sorted', after: sorted[summary.keysScanned - 1], page: expect.any(Number) });
    expect(rest.runId).toBe(summary.runId);
    expect(rest.complete).toBe(true);
    expect(summary.keysScanned + rest.keysScanned).toBe(sorted.length);
    const reads = sim.requests.filter((r) => r.method === 'GET' && r.status === 200 && r.url.includes('/accessList'));
    expect(new Set(reads.map((r) => r.url)).size).toBe(sorted.length);
    expect(reads).toHaveLength(sorted.length);
  });
});
