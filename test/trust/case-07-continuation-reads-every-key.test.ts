import { afterEach, describe, expect, it } from 'vitest';
import type { Command } from '../../lambda/commands/schema.ts';
import { message, metric, startWorld, type World, reasons } from './trust-world.ts';

/**
 * Issue 11, case 7: a continuation resumed at an offset, so keys deleted by someone else before its cursor
 * shifted unread keys behind it; the run still reported `complete`. The cursor is now anchored on the last
 * public key processed. Reproduced through the handler: a sweep of 301 keys whose invocation runs out of time
 * after 100 access-list reads (its deadline clock jumps), 40 keys before the cursor deleted by someone else,
 * then the continuation the worker enqueued.
 */
describe('Trust case 7 › a continuation reads every key that is still there', () => {
  let world: World | undefined;
  afterEach(async () => {
    await world?.close();
    world = undefined;
  });

  it('keys before the cursor deleted between invocations: every remaining key is read, and the run completes', { timeout: 120_000 }, async () => {
    // Prepare: a dry run (reads only), out of time after 100 access-list reads per invocation
    world = await startWorld({ seed: { keysPerOrg: 300 } });
    const w = world;
    const container = w.container({ dryRun: true });
    let reads = 0;
    w.onRequest((request) => {
      if (request.method === 'GET' && request.url.includes('/accessList')) reads += 1;
      if (reads === 100) w.deadlineClock.skewMs = 100_000;
    });
    const deletedByOthers = new Set<string>();

    // Act: the sweep, then each continuation; before the first continuation, someone deletes 40 keys before its cursor
    let pending: Command[] = [{ action: 'sweep', orgId: w.orgId }];
    const deliveries = [];
    while (pending.length > 0 && deliveries.length < 10) {
      const [next] = pending;
      const after = next?.action === 'sweep' ? next.cursor?.after : undefined;
      if (after !== undefined && deletedByOthers.size === 0) {
        const before = w.sim.state.apiKeys.filter((k) => k.orgId === w.orgId && k.id !== w.worker.apiKeyId && k.publicKey < after).slice(0, 40);
        for (const key of before) deletedByOthers.add(key.id);
        w.sim.state.apiKeys = w.sim.state.apiKeys.filter((k) => !deletedByOthers.has(k.id));
      }
      reads = 0;
      w.deadlineClock.skewMs = 0;
      const delivery = await container.deliver(pending.map((command) => message(command)));
      expect(delivery.failed, reasons(delivery)).toEqual([]);
      deliveries.push(delivery);
      pending = [...delivery.enqueued];
    }

    // Assess: the first invocation was cut short; someone deleted keys before the cursor; yet every key present
    // throughout was read, and only the last invocation reports the org complete
    expect(deliveries.length).toBeGreaterThan(1);
    expect(deletedByOthers.size).toBe(40);
    const read = new Set(w.sim.requests.flatMap((r) => /\/apiKeys\/([a-f0-9]{24})\/accessList/.exec(r.url)?.[1] ?? []));
    const present = w.sim.state.apiKeys.filter((k) => k.orgId === w.orgId);
    const unread = present.filter((k) => !read.has(k.id)).map((k) => k.publicKey);
    expect(unread, 'keys present for the whole run that no invocation read').toEqual([]);
    expect(deliveries.map((d) => metric(d.records, 'SweepsCompleted'))).toEqual([...deliveries.slice(1).map(() => 0), 1]);
    expect(w.writes()).toEqual([]);
  });
});
