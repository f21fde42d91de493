import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { FaultKind } from '../../sim/types.ts';
import { audits, message, startWorld, type World, reasons } from './trust-world.ts';

const HINT = 'the base URL or path may be wrong';
const HTML_404 = '<!DOCTYPE html><html><head><title>404 Not Found</title></head><body>nginx</body></html>';

/**
 * Issue 11, case 9: any 404 counted as "already deleted" — a 404 with `UNEXPECTED_ERROR`, an HTML page from a
 * proxy or a wrong base URL — so a misconfigured deployment reported success while deleting nothing. Now only
 * Atlas's documented not-found answers mean `already-absent`; any other 404 fails the action with an error that
 * names the method and path and says the base URL or path may be wrong. Through the handler.
 */
describe('Trust case 9 › a 404 that is not Atlas saying "not found" fails loudly', { timeout: 120_000 }, () => {
  let world: World | undefined;
  let proxy: Server | undefined;
  afterEach(async () => {
    await world?.close();
    world = undefined;
    await new Promise<void>((resolve) => (proxy ? proxy.close(() => resolve()) : resolve()));
    proxy = undefined;
  });

  async function withKey() {
    world = await startWorld();
    const key = world.addKey({ entries: [{ address: '198.51.100.8', createdDaysAgo: 400, lastUsedDaysAgo: 300 }] });
    return { w: world, key };
  }

  it.each<[string, FaultKind]>([
    ['404 UNEXPECTED_ERROR', { kind: 'status', status: 404, errorCode: 'UNEXPECTED_ERROR' }],
    ['404 HTML page (a proxy)', { kind: 'status', status: 404, body: HTML_404 }],
    ['404 with no body', { kind: 'status', status: 404, body: '' }],
  ])('a DELETE answered %s: the action fails, naming the path and the likely cause; the key stays', async (_, fault) => {
    // Prepare
    const { w, key } = await withKey();
    const container = w.container({});
    w.sim.addFault({ method: 'DELETE', path: `/apiKeys/${key.id}`, fault });

    // Act
    const invocation = await container.invoke({ action: 'deleteOrgKey', orgId: w.orgId, apiUserId: key.id });

    // Assess
    expect(invocation.error?.message).toContain(HINT);
    expect(invocation.error?.message).toContain(`DELETE /api/atlas/v2/orgs/${w.orgId}/apiKeys/${key.id}`);
    expect(audits(invocation.records).map((r) => r['outcome'])).toEqual(['failed']);
    expect(w.key(key.id)).toBeDefined();
  });

  it('a leaked key looked up by id answered 404 UNEXPECTED_ERROR: the revocation fails (SQS retries it), never "already absent"', async () => {
    // Prepare
    const { w, key } = await withKey();
    const container = w.container({});
    w.sim.addFault({ method: 'GET', path: `/apiKeys/${key.id}`, fault: { kind: 'status', status: 404, errorCode: 'UNEXPECTED_ERROR' } });
    const revoke = message({ action: 'revokeKey', orgId: w.orgId, apiUserId: key.id });

    // Act
    const delivery = await container.deliver([revoke], 'urgent');

    // Assess
    expect(delivery.failed).toEqual([revoke.messageId]);
    expect(audits(delivery.records).filter((r) => r['outcome'] === 'already-absent')).toEqual([]);
    expect(String(delivery.records.find((r) => r['messageId'] === revoke.messageId)?.['reason'])).toContain(HINT);
    expect(w.key(key.id)).toBeDefined();
  });

  it('a wrong base URL (a web server answering HTML 404s): commands and sweeps fail, nothing reports success', async () => {
    // Prepare: the org's base URL points at a server that is not Atlas
    const { w, key } = await withKey();
    proxy = createServer((_, response) => {
      response.writeHead(404, { 'Content-Type': 'text/html' });
      response.end(HTML_404);
    });
    await new Promise<void>((resolve) => proxy!.listen(0, '127.0.0.1', resolve));
    const wrong = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
    const container = w.container({ dryRun: false, orgs: [{ orgId: w.orgId, baseUrl: wrong }] });
    const remove = message({ action: 'deleteOrgKey', orgId: w.orgId, apiUserId: key.id });
    const sweep = message({ action: 'sweep', orgId: w.orgId });

    // Act
    const removal = await container.deliver([remove], 'urgent');
    const invocation = await container.invoke({ action: 'revokeKey', orgId: w.orgId, apiUserId: key.id });
    const sweeping = await container.deliver([sweep]);

    // Assess
    expect(removal.failed).toEqual([remove.messageId]);
    expect(sweeping.failed).toEqual([sweep.messageId]);
    expect(invocation.error?.message).toContain(HINT);
    for (const record of [...removal.records, ...sweeping.records].filter((r) => r['messageId'] !== undefined)) {
      expect(String(record['reason'])).toContain(HINT);
    }
    expect(audits([...removal.records, ...invocation.records, ...sweeping.records]).filter((r) => r['outcome'] !== 'failed')).toEqual([]);
    expect(w.sim.requests).toEqual([]);
  });

  it('Atlas’s own not-found (a key that does not exist) is still "already absent", and the message succeeds', async () => {
    const { w } = await withKey();
    const container = w.container({});

    const delivery = await container.deliver([message({ action: 'deleteOrgKey', orgId: w.orgId, apiUserId: 'ab'.repeat(12) })], 'urgent');

    expect(delivery.failed, reasons(delivery)).toEqual([]);
    expect(audits(delivery.records).map((r) => r['outcome'])).toEqual(['already-absent']);
  });
});
