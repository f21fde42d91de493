import { afterEach, describe, expect, it, vi } from 'vitest';
import type { SimApiKey } from '../../sim/types.ts';
import { DAY_MS, message, startWorld, type World, reasons } from './trust-world.ts';

/**
 * Issue 11, case 1: pruning destroyed the key's own usage evidence, and a later sweep deleted (or unassigned) a
 * key still in use. Both reported scenarios, through the handler (sweep messages on the FIFO work lane), two
 * sweeps each. Before the fix, sweep 1 pruned the entry holding the newest use and sweep 2 acted on the idle
 * time of the survivors.
 */
describe('Trust case 1 › pruning never changes a key’s idle time', { timeout: 120_000 }, () => {
  let world: World | undefined;
  afterEach(async () => {
    vi.useRealTimers();
    await world?.close();
    world = undefined;
  });

  const entriesOf = (key: SimApiKey | undefined) => key?.accessList.map((e) => e.cidrBlock).sort();
  const projectsOf = (key: SimApiKey | undefined) => key?.roles.flatMap((r) => (r.groupId ? [r.groupId] : []));

  it('a protected 10.0.0.0/8 entry used 300 days ago and 203.0.113.5 used 100 days ago: two sweeps the same day never delete the key', async () => {
    // Prepare
    world = await startWorld();
    const [project] = world.projects();
    const key = world.addKey({
      entries: [
        { address: '10.1.2.3', createdDaysAgo: 400, lastUsedDaysAgo: 300 },
        { address: '203.0.113.5', createdDaysAgo: 400, lastUsedDaysAgo: 100 },
      ],
      projects: [project!],
    });
    const container = world.container({ dryRun: false, protectedEntries: ['10.0.0.0/8'] });
    const sweep = () => container.deliver([message({ action: 'sweep', orgId: world!.orgId })]);

    // Act
    const first = await sweep();
    const second = await sweep();

    // Assess: the entry holding the newest use stays, so the key's idle time stays 100 days: unassigned (≥ 90),
    // never deleted (< 180)
    expect(first.failed, reasons(first)).toEqual([]);
    expect(second.failed, reasons(second)).toEqual([]);
    expect(world.key(key.id), 'key deleted although used 100 days ago').toBeDefined();
    expect(entriesOf(world.key(key.id))).toEqual(['10.1.2.3', '203.0.113.5']);
    expect(projectsOf(world.key(key.id))).toEqual([]);
    const writes = world.writes().map((w) => `${w.method} ${w.url}`);
    expect(writes).toEqual([`DELETE /api/atlas/v2/groups/${project}/apiKeys/${key.id}`]);
  });

  it('a never-used entry created 31 days ago beside one used 89 days ago: the next day’s sweep does not unassign the key', async () => {
    // Prepare: defaults, no protected entry
    world = await startWorld();
    const [project] = world.projects();
    const key = world.addKey({
      entries: [
        { address: '198.51.100.7', createdDaysAgo: 31 },
        { address: '192.0.2.44', createdDaysAgo: 200, lastUsedDaysAgo: 89 },
      ],
      projects: [project!],
    });
    const container = world.container({ dryRun: false });
    const sweep = () => container.deliver([message({ action: 'sweep', orgId: world!.orgId })]);

    // Act: today, then tomorrow
    const today = await sweep();
    const todayWrites = world.writes().length;
    // Tomorrow: the whole process's calendar moves one day on (the key's timestamps stay where they are).
    vi.useFakeTimers({ toFake: ['Date'], shouldAdvanceTime: true });
    vi.setSystemTime(Date.now() + DAY_MS);
    const tomorrow = await sweep();

    // Assess: the never-used entry is the key's newest evidence (created 31, then 32 days ago), so it stays, and the
    // key is 32 days idle tomorrow, far from 90: still in its project. The entry used 90 days ago may go tomorrow.
    expect(today.failed, reasons(today)).toEqual([]);
    expect(tomorrow.failed, reasons(tomorrow)).toEqual([]);
    expect(todayWrites, 'nothing is due today').toBe(0);
    expect(projectsOf(world.key(key.id)), 'unassigned ~59 days early').toEqual([project]);
    expect(entriesOf(world.key(key.id))).toContain('198.51.100.7');
    expect(world.writes().map((w) => `${w.method} ${w.url}`)).toEqual([
      `DELETE /api/atlas/v2/orgs/${world.orgId}/apiKeys/${key.id}/accessList/192.0.2.44`,
    ]);
  });
});
