import { afterEach, describe, expect, it } from 'vitest';
import { audits, message, startWorld, type World, reasons } from './trust-world.ts';

/**
 * Issue 11, case 2: two writers, each pruning one entry of a 2-entry key from the same earlier snapshot, left
 * the key with an empty access list (an API key usable from anywhere). Reproduced with two containers invoked
 * at once — two direct prunes, and a sweep racing an operator's prune — and with two sweeps at once. Both
 * writers read the list before either deletes: the reads of that key's list are slowed (answered late, from
 * the state at arrival), so each plans from the two-entry snapshot.
 */
describe('Trust case 2 › a key’s access list is never emptied, whatever runs at once', { timeout: 120_000 }, () => {
  let world: World | undefined;
  afterEach(async () => {
    await world?.close();
    world = undefined;
  });

  /** A key with an entry idle 120 days (stale) and one used 10 days ago (its newest evidence). */
  async function twoEntryKey() {
    world = await startWorld();
    const key = world.addKey({
      entries: [
        { address: '198.51.100.20', createdDaysAgo: 400, lastUsedDaysAgo: 120 },
        { address: '192.0.2.10', createdDaysAgo: 400, lastUsedDaysAgo: 10 },
      ],
    });
    // Every read of this key's access list is answered 150 ms late: both writers see two entries.
    world.sim.addFault({ method: 'GET', path: `/apiKeys/${key.id}/accessList`, fault: { kind: 'latency', ms: 150 } });
    return { w: world, key };
  }
  const entries = (w: World, id: string) => w.key(id)?.accessList.map((e) => e.cidrBlock) ?? [];

  it('two invocations at once, each pruning one of the two entries: one entry stays', async () => {
    // Prepare
    const { w, key } = await twoEntryKey();
    const a = w.container({}, { name: 'a' });
    const b = w.container({}, { name: 'b' });
    const prune = (entry: string) => ({ action: 'pruneAccessListEntry', orgId: w.orgId, apiUserId: key.id, entry });

    // Act
    const [first, second] = await Promise.all([a.invoke(prune('198.51.100.20')), b.invoke(prune('192.0.2.10'))]);

    // Assess: the entry holding the key's newest use is refused (on the list as read right before the DELETE)
    expect(entries(w, key.id)).toEqual(['192.0.2.10']);
    expect(first.error).toBeUndefined();
    expect(second.error).toBeUndefined();
    const refused = (second.result?.['results'] as Array<Record<string, unknown>> | undefined)?.[0];
    expect(refused).toMatchObject({ outcome: 'skipped' });
    expect(String(refused?.['detail'])).toMatch(/newest usage evidence/);
    expect(w.writes().map((r) => r.url)).toEqual([`/api/atlas/v2/orgs/${w.orgId}/apiKeys/${key.id}/accessList/198.51.100.20`]);
  });

  it('a sweep and an operator’s prune at once: one entry stays', async () => {
    // Prepare
    const { w, key } = await twoEntryKey();
    const sweeper = w.container({ dryRun: false }, { name: 'sweeper' });
    const operator = w.container({}, { name: 'operator' });

    // Act: the sweep prunes the stale entry; the operator asks for the other one at the same moment
    const [sweep, prune] = await Promise.all([
      sweeper.deliver([message({ action: 'sweep', orgId: w.orgId })]),
      operator.deliver([message({ action: 'pruneAccessListEntry', orgId: w.orgId, apiUserId: key.id, entry: '192.0.2.10' })]),
    ]);

    // Assess
    expect(sweep.failed, reasons(sweep)).toEqual([]);
    expect(prune.failed, reasons(prune)).toEqual([]);
    expect(entries(w, key.id)).toEqual(['192.0.2.10']);
    expect(audits(prune.records).map((r) => r['outcome'])).toEqual(['skipped']);
    expect(audits(sweep.records).map((r) => [r['kind'], r['entry'], r['outcome']])).toEqual([['pruneAccessListEntry', '198.51.100.20', 'done']]);
  });

  it('two sweeps at once on an org of 2- and 3-entry keys: no key ends with an empty list', async () => {
    // Prepare: every entry stale, of different ages; some keys with three
    world = await startWorld();
    const w = world;
    const keys = Array.from({ length: 12 }, (_, i) =>
      w.addKey({
        entries: [
          { address: `198.51.100.${i + 1}`, createdDaysAgo: 400, lastUsedDaysAgo: 95 + i },
          { address: `192.0.2.${i + 1}`, createdDaysAgo: 400, lastUsedDaysAgo: 91 },
          ...(i % 2 === 0 ? [{ address: `203.0.113.${i + 1}`, createdDaysAgo: 400, lastUsedDaysAgo: 150 }] : []),
        ],
      }),
    );
    w.sim.addFault({ method: 'GET', path: '/accessList', fault: { kind: 'latency', ms: 50 } });
    const a = w.container({ dryRun: false }, { name: 'a' });
    const b = w.container({ dryRun: false }, { name: 'b' });
    const sweep = () => message({ action: 'sweep', orgId: w.orgId });

    // Act
    const results = await Promise.all([a.deliver([sweep()]), b.deliver([sweep()])]);

    // Assess: each key keeps the entry used 91 days ago (its newest), whichever writer got there first
    expect(results.map((r) => r.failed)).toEqual([[], []]);
    for (const [i, key] of keys.entries()) expect(entries(w, key.id), key.id).toEqual([`192.0.2.${i + 1}`]);
  });
});
