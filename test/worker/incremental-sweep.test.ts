import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryState } from '../../lambda/state/index.ts';
import type { KeyState, KeyStateStore } from '../../lambda/state/types.ts';
import { sweepOrg } from '../../lambda/worker/sweep-org.ts';
import { NOW, startWorkerFixture, type WorkerFixture } from '../helpers/worker-fixture.ts';

const DAY_MS = 86_400_000;

/** Counts the store's calls and items, to bound the state's cost per sweep. */
function countingStore(inner: KeyStateStore) {
  const counts = { gets: 0, puts: 0, itemsPut: 0 };
  const store: KeyStateStore = {
    get: (orgId, ids) => {
      counts.gets += 1;
      return inner.get(orgId, ids);
    },
    put: (orgId, states: readonly KeyState[]) => {
      counts.puts += 1;
      counts.itemsPut += states.length;
      return inner.put(orgId, states);
    },
    delete: (orgId, ids) => inner.delete(orgId, ids),
  };
  return { store, counts };
}

const accessListReads = (fixture: WorkerFixture) => fixture.sim.requests.filter((r) => r.method === 'GET' && r.url.includes('/accessList')).length;

describe('Function: sweepOrg (incremental)', () => {
  let fixture: WorkerFixture;
  afterEach(() => fixture?.close());

  it('reads every key once, then only keys that are new, changed or due; plans the same actions as a full sweep', async () => {
    // Prepare
    fixture = await startWorkerFixture({ keysPerOrg: 120, staleFraction: 0.3 });
    const state = createMemoryState();
    const { store, counts } = countingStore(state.keys);
    const policy = fixture.policy();
    const options = { client: fixture.client, orgId: fixture.orgId, policy, dryRun: true, selfPublicKey: fixture.selfPublicKey };
    const keysInOrg = fixture.sim.state.apiKeys.filter((k) => k.orgId === fixture.orgId).length;

    // Act: a first incremental sweep (no state yet), then one an hour later.
    const first = await sweepOrg({ ...options, now: NOW, keyState: store });
    const readsAfterFirst = accessListReads(fixture);
    const second = await sweepOrg({ ...options, now: new Date(NOW.getTime() + 3_600_000), keyState: store });
    const secondReads = accessListReads(fixture) - readsAfterFirst;
    const full = await sweepOrg({ ...options, now: new Date(NOW.getTime() + 3_600_000) });

    // Assess: the first reads everything and records one state per key read.
    expect(first.keysScanned).toBe(keysInOrg);
    expect(first.keysSkipped).toBe(0);
    expect(counts.itemsPut).toBe(first.keysScanned + second.keysScanned);
    // The second reads only keys with an action due (nothing was executed, so those are still due).
    const dueKeys = new Set(full.results.map((r) => r.action.apiUserId));
    expect(second.keysScanned).toBe(dueKeys.size);
    expect(second.keysSkipped).toBe(keysInOrg - dueKeys.size);
    expect(secondReads).toBe(dueKeys.size);
    const ids = (s: typeof full) => s.results.map((r) => `${r.action.kind} ${r.action.apiUserId}`).sort();
    expect(ids(second)).toEqual(ids(full));
  });

  it('reads a key again when its description or roles change, or after fullReadEveryDays', async () => {
    // Prepare
    fixture = await startWorkerFixture({ keysPerOrg: 30, staleFraction: 0 });
    const state = createMemoryState();
    const policy = fixture.policy({ fullReadEveryDays: 7 });
    const options = { client: fixture.client, orgId: fixture.orgId, policy, dryRun: true, selfPublicKey: fixture.selfPublicKey, keyState: state.keys };
    await sweepOrg({ ...options, now: NOW });
    const [described, reassigned] = fixture.sim.state.apiKeys.filter((k) => k.publicKey !== fixture.selfPublicKey);
    if (!described || !reassigned) throw new Error('fixture has too few keys');
    described.desc = `${described.desc} (edited by someone)`;
    reassigned.roles = [...reassigned.roles, { orgId: fixture.orgId, roleName: 'ORG_BILLING_ADMIN' }];
    const before = accessListReads(fixture);

    // Act
    const changed = await sweepOrg({ ...options, now: new Date(NOW.getTime() + DAY_MS) });
    const changedReads = accessListReads(fixture) - before;
    const weekLater = await sweepOrg({ ...options, now: new Date(NOW.getTime() + 8 * DAY_MS) });

    // Assess
    expect(changedReads).toBeGreaterThanOrEqual(2);
    expect(changed.keysScanned).toBe(changedReads);
    // Eight days on, every key's last full read (day 0 or day 1) is at least fullReadEveryDays old.
    expect(weekLater.keysSkipped).toBe(0);
  });
});
