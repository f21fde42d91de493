import { afterEach, describe, expect, it } from 'vitest';
import type { Command } from '../../lambda/commands/schema.ts';
import { message, metric, reasons, startWorld, type World } from './trust-world.ts';

/**
 * Issue 11, case 3: the deletion cap was counted per run, so SQS redeliveries and continuations each got a fresh
 * one — cap 300, 500 stale keys: 254 + 245 deletes; after a cap trip the redelivery deleted what the cap held
 * back; with the default cap 50 and a deadline: 39 + 39 + 39. The budget is now durable (the state table, here
 * dynalite), per org and UTC day, reserved before each write. Through the handler, FIFO work lane.
 */
describe('Trust case 3 › the write budget holds across SQS redeliveries and continuations', () => {
  let world: World | undefined;
  afterEach(async () => {
    await world?.close();
    world = undefined;
  });

  async function staleOrg(keys: number) {
    world = await startWorld({ noon: true });
    const w = world;
    const ids = Array.from({ length: keys }, () => w.addKey({ entries: [{ address: '198.51.100.9', createdDaysAgo: 400, lastUsedDaysAgo: 200 }] }).id);
    return { w, ids, gone: () => ids.filter((id) => w.key(id) === undefined).length };
  }

  it('cap 300, 500 stale keys, one failed DELETE: the redelivered message deletes nothing more than the cap allows', { timeout: 240_000 }, async () => {
    // Prepare
    const { w, ids, gone } = await staleOrg(500);
    const container = w.container({ dryRun: false, maxWritesPerOrgPerDay: 300 });
    const failing = w.sim.addFault({ method: 'DELETE', path: `/apiKeys/${ids[7]}`, fault: { kind: 'status', status: 500 } });
    const sweep = message({ action: 'sweep', orgId: w.orgId });

    // Act: the message fails (one action failed) and SQS delivers it again, with its original body
    const first = await container.deliver([sweep]);
    const afterFirst = gone();
    failing();
    const second = await container.deliver([sweep]);

    // Assess
    expect(first.failed).toEqual([sweep.messageId]);
    expect(second.failed, reasons(second)).toEqual([]);
    expect(afterFirst).toBe(299);
    expect(gone(), 'deletes across both deliveries').toBeLessThanOrEqual(300);
    expect(await w.budgetUsed()).toBe(300);
    expect(metric(second.records, 'BudgetRefused')).toBeGreaterThan(0);
  });

  it('cap 300 tripped: the same message delivered again deletes nothing the cap held back', { timeout: 240_000 }, async () => {
    // Prepare
    const { w, gone } = await staleOrg(500);
    const container = w.container({ dryRun: false, maxWritesPerOrgPerDay: 300 });
    const sweep = message({ action: 'sweep', orgId: w.orgId });

    // Act: SQS delivers at least once: here twice
    const first = await container.deliver([sweep]);
    const afterFirst = gone();
    const second = await container.deliver([sweep]);

    // Assess
    expect([first.failed, second.failed], reasons(first) + reasons(second)).toEqual([[], []]);
    expect(afterFirst).toBe(300);
    expect(gone()).toBe(300);
    expect(await w.budgetUsed()).toBe(300);
    expect(w.writes().length - afterFirst, 'writes of the second delivery').toBe(0);
  });

  it('default cap 50, a deadline in every invocation: the continuations together stay within 50', { timeout: 120_000 }, async () => {
    // Prepare: each invocation's time is up after 20 access-list reads (its deadline clock jumps 100 s ahead:
    // past the point where scanning stops, well before the executor's own cut-off)
    const { w, gone } = await staleOrg(150);
    const container = w.container({ dryRun: false });
    let reads = 0;
    w.onRequest((request) => {
      if (request.method === 'GET' && request.url.includes('/accessList')) reads += 1;
      if (reads === 20) w.deadlineClock.skewMs = 100_000;
    });

    // Act: deliver the sweep, then each continuation it enqueues, until none is left
    let pending: Command[] = [{ action: 'sweep', orgId: w.orgId }];
    const perInvocation: number[] = [];
    while (pending.length > 0 && perInvocation.length < 10) {
      reads = 0;
      w.deadlineClock.skewMs = 0;
      const before = gone();
      const delivery = await container.deliver(pending.map((command) => message(command)));
      expect(delivery.failed, reasons(delivery)).toEqual([]);
      perInvocation.push(gone() - before);
      pending = [...delivery.enqueued];
    }

    // Assess: at least one continuation ran, and all of them together deleted at most 50 keys
    expect(perInvocation.length).toBeGreaterThan(1);
    expect(perInvocation.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(50);
    expect(gone()).toBe(50);
    expect(await w.budgetUsed()).toBe(50);
  });
});
