import { afterEach, describe, expect, it } from 'vitest';
import revocationEvent from '../fixtures/revocation-event.json' with { type: 'json' };
import { audits, message, onNth, startWorld, type World, reasons } from './trust-world.ts';

/**
 * Issue 11, case 5: a revocation walked the org's listing page by page; a key deleted on page 1 between the
 * page-1 and page-2 reads shifted the leaked key onto page 1, already read: `already-absent`, no DELETE, the key
 * still live, the message acknowledged. Reproduced through the handler with the revocation event on the urgent
 * lane: an org of 1001 keys (pages of 500), the leaked key first on page 2, and someone deleting a page-1 key
 * the moment the page-2 read arrives.
 */
describe('Trust case 5 › a revocation never misses a key that exists', () => {
  let world: World | undefined;
  afterEach(async () => {
    await world?.close();
    world = undefined;
  });

  async function bigOrg() {
    world = await startWorld({ seed: { keysPerOrg: 1000 } });
    const w = world;
    const sorted = w.sim.state.apiKeys.filter((k) => k.orgId === w.orgId).sort((a, b) => (a.publicKey < b.publicKey ? -1 : 1));
    const leaked = sorted[500]!;
    const victim = sorted.find((k, i) => i < 500 && k.id !== w.worker.apiKeyId)!;
    return { w, leaked, victim };
  }
  const listings = (w: World) => w.sim.requests.filter((r) => r.method === 'GET' && /\/orgs\/[a-f0-9]{24}\/apiKeys\?/.test(r.url));

  it('by public key: the leaked key shifted onto page 1 mid-scan is still found and deleted', { timeout: 120_000 }, async () => {
    // Prepare
    const { w, leaked, victim } = await bigOrg();
    const container = w.container({});
    onNth(w, 1, (request) => request.method === 'GET' && request.url.includes('pageNum=2'), () => {
      w.sim.state.apiKeys = w.sim.state.apiKeys.filter((k) => k !== victim);
    });
    const event = { ...revocationEvent, detail: { orgId: w.orgId, publicKey: leaked.publicKey, reason: 'pasted in a public gist' } };

    // Act
    const delivery = await container.deliver([message(event)], 'urgent');

    // Assess: the first scan missed it (the listing moved under it); the second found it
    expect(delivery.failed, reasons(delivery)).toEqual([]);
    expect(w.key(leaked.id), 'the leaked key is still live').toBeUndefined();
    expect(w.writes().map((r) => `${r.method} ${r.url} ${r.status}`)).toEqual([`DELETE /api/atlas/v2/orgs/${w.orgId}/apiKeys/${leaked.id} 204`]);
    expect(audits(delivery.records).map((r) => [r['kind'], r['apiUserId'], r['outcome']])).toEqual([['deleteOrgKey', leaked.id, 'done']]);
    expect(listings(w).length, 'a second scan ran').toBeGreaterThan(3);
  });

  it('by id (revokeKey and deleteOrgKey): one GET of the key, no listing to shift under it', async () => {
    // Prepare
    const { w, leaked, victim } = await bigOrg();
    const container = w.container({});
    const [other] = w.sim.state.apiKeys.filter((k) => k.orgId === w.orgId && k !== leaked && k !== victim && k.id !== w.worker.apiKeyId);
    w.sim.state.apiKeys = w.sim.state.apiKeys.filter((k) => k !== victim);

    // Act
    const revoke = await container.deliver([message({ action: 'revokeKey', orgId: w.orgId, apiUserId: leaked.id })], 'urgent');
    const remove = await container.deliver([message({ action: 'deleteOrgKey', orgId: w.orgId, apiUserId: other!.id })], 'urgent');

    // Assess
    expect([revoke.failed, remove.failed]).toEqual([[], []]);
    expect(w.key(leaked.id)).toBeUndefined();
    expect(w.key(other!.id)).toBeUndefined();
    expect(listings(w)).toEqual([]);
    expect(audits([...revoke.records, ...remove.records]).map((r) => r['outcome'])).toEqual(['done', 'done']);
  });
});
