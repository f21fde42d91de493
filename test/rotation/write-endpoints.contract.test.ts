import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAtlasClient } from '../../lambda/atlas/index.ts';
import type { AtlasClient, ClientEvent } from '../../lambda/atlas/types.ts';
import { startSimulator } from '../../sim/index.ts';
import type { Simulator } from '../../sim/types.ts';
import { ACCOUNTS, buildRotationFixture, KEYS, ORG, PROJECT_A, PROJECT_B, T0 } from './helpers/fixture.ts';
import { type PrismProxy, startPrism } from '../helpers/prism.ts';

/**
 * The client's write methods through Stoplight Prism in proxy mode with `--errors`, loaded with MongoDB's spec:
 * every request (method, path, media type, body) and every simulator answer (status, media type, body) of the
 * rotation's writes is checked against the spec. Bearer auth (a service account), as Prism's Digest check is naive.
 */
describe('Contract: the rotation write endpoints against the official spec (Prism proxy)', () => {
  let sim: Simulator;
  let prism: PrismProxy;
  let client: AtlasClient;
  const events: ClientEvent[] = [];

  beforeAll(async () => {
    sim = await startSimulator({ fixture: buildRotationFixture(), now: () => new Date(T0) });
    prism = await startPrism(sim.baseUrl);
    client = createAtlasClient({
      baseUrl: prism.url,
      flavor: 'atlas',
      credentials: { kind: 'oauth', clientId: ACCOUNTS.worker.clientId, clientSecret: ACCOUNTS.worker.secret },
      // The token endpoint is not in the spec: tokens come from the simulator directly.
      tokenUrl: `${sim.baseUrl}/api/oauth/token`,
      retry: { maxAttempts: 1 },
      pacing: false,
      onEvent: (event) => events.push(event),
    });
  }, 60_000);

  afterAll(async () => {
    await client?.close();
    await prism?.close();
    await sim?.close();
  });

  /**
   * PRISM QUIRK (5.14, proxy mode): a forwarded 204 with a JSON media type goes out with `Content-Length: 2` and no
   * body, which undici refuses. Prism writes it only after it found the answer valid (a violation is a 500 problem
   * document with a body), so that error here means "valid"; the simulator's state is checked as well.
   */
  const viaPrism = async <T>(call: () => Promise<T>): Promise<T | 'valid 204'> => {
    try {
      return await call();
    } catch (error) {
      if (((error as Error).cause as { code?: string } | undefined)?.code === 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH') return 'valid 204';
      throw error;
    }
  };

  const assertNoViolations = () => {
    expect(prism.log()).not.toMatch(/violation/i);
    expect(prism.log()).not.toContain('UNPROCESSABLE_ENTITY');
    expect(prism.log()).not.toContain('VIOLATIONS');
    expect(events.filter((event) => event.type === 'response' && (event.status === 422 || event.status >= 500))).toEqual([]);
  };

  it('creates a key, updates it, adds access-list entries (IPv4, CIDR, IPv6) and assigns it to two projects', async () => {
    // Act
    const created = await client.createOrgKey(ORG, { desc: 'contract successor', roles: ['ORG_MEMBER'] });
    const updated = await client.updateOrgKey(ORG, created.id, { desc: 'contract successor (renamed)', roles: ['ORG_MEMBER', 'ORG_READ_ONLY'] });
    const entries = await client.addAccessListEntries(ORG, created.id, ['127.0.0.1', '192.0.2.0/24', '2001:db8::7', '2001:db8:5::/48']);
    const assigned = [
      await viaPrism(() => client.assignKeyToProject(PROJECT_A, created.id, ['GROUP_OWNER'])),
      await viaPrism(() => client.assignKeyToProject(PROJECT_B, created.id, ['GROUP_READ_ONLY', 'GROUP_DATA_ACCESS_READ_WRITE'])),
    ];

    // Assess
    expect(updated.desc).toBe('contract successor (renamed)');
    expect(entries).toHaveLength(4);
    expect(assigned.every((outcome) => outcome === undefined || outcome === 'valid 204')).toBe(true);
    expect(sim.state.apiKeys.find((key) => key.id === created.id)?.roles.filter((role) => role.groupId !== undefined)).toHaveLength(3);
    assertNoViolations();
  });

  it('reads a service account, creates a secret, meets the two-secret limit, deletes a secret', async () => {
    // Act
    const account = await client.getServiceAccount(ORG, ACCOUNTS.app.clientId);
    const created = await client.createServiceAccountSecret(ORG, ACCOUNTS.app.clientId, 48);
    const limited = await client.createServiceAccountSecret(ORG, ACCOUNTS.app.clientId, 48).catch((error: unknown) => error);
    const deleted = await viaPrism(() => client.deleteServiceAccountSecret(ORG, ACCOUNTS.app.clientId, created.id));

    // Assess
    expect(account.secrets).toHaveLength(1);
    expect(limited).toMatchObject({ status: 400 });
    expect(['done', 'valid 204']).toContain(deleted);
    expect(sim.state.serviceAccounts.find((candidate) => candidate.clientId === ACCOUNTS.app.clientId)?.secrets).toHaveLength(1);
    assertNoViolations();
  });

  it('the check is live: Prism rejects a create body outside the spec (raw HTTP)', async () => {
    // Act
    const response = await fetch(`${client.baseUrl}/api/atlas/v2/orgs/${ORG}/apiKeys`, {
      method: 'POST',
      headers: {
        accept: 'application/vnd.atlas.2023-01-01+json',
        'content-type': 'application/vnd.atlas.2023-01-01+json',
        authorization: 'Bearer x',
      },
      body: JSON.stringify({ desc: '', roles: ['NOT_A_ROLE'], publicKey: KEYS.app.publicKey }),
    });
    await response.arrayBuffer();

    // Assess
    expect(response.status).toBe(422);
  });
});
