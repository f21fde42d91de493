import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAtlasClient } from '../../lambda/atlas/index.ts';
import type { AtlasClient, Flavor } from '../../lambda/atlas/types.ts';
import { redact } from '../../lambda/atlas/redact.ts';
import { startSimulator } from '../../sim/index.ts';
import { SECRET_LIMIT_ERROR_CODE } from '../../sim/service-account-secrets.ts';
import type { Simulator } from '../../sim/types.ts';
import { ACCOUNTS, buildRotationFixture, KEYS, ORG, PROJECT_A, PROJECT_B, T0 } from './helpers/fixture.ts';
import { TEST_CLIENT } from './helpers/rotation-harness.ts';

describe('Simulator and client: the write endpoints rotation needs', () => {
  let sim: Simulator;
  let nowMs: number;
  const clients: AtlasClient[] = [];

  const digest = (key: { publicKey: string; privateKey: string }, flavor: Flavor = 'atlas') => {
    const client = createAtlasClient({ ...TEST_CLIENT, baseUrl: sim.baseUrl, flavor, credentials: { kind: 'digest', ...key } });
    clients.push(client);
    return client;
  };
  const oauth = (clientId: string, clientSecret: string) => {
    const client = createAtlasClient({ ...TEST_CLIENT, baseUrl: sim.baseUrl, flavor: 'atlas', credentials: { kind: 'oauth', clientId, clientSecret } });
    clients.push(client);
    return client;
  };
  const simKey = (id: string) => sim.state.apiKeys.find((key) => key.id === id);

  beforeEach(async () => {
    nowMs = T0;
    sim = await startSimulator({ fixture: buildRotationFixture(), now: () => new Date(nowMs) });
  });

  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.close()));
    await sim.close();
  });

  describe.each(['atlas', 'ops-manager'] as const)('API keys (%s)', (flavor) => {
    it('creates a key (its private key in clear, once), updates it, adds entries and assigns it to projects', async () => {
      // Prepare
      const admin = digest(KEYS.worker, flavor);

      // Act
      const created = await admin.createOrgKey(ORG, { desc: 'new key', roles: ['ORG_MEMBER', 'ORG_READ_ONLY'] });
      const listed = await admin.getOrgKey(ORG, created.id);
      const updated = await admin.updateOrgKey(ORG, created.id, { desc: 'renamed', roles: ['ORG_READ_ONLY'] });
      const entries = await admin.addAccessListEntries(ORG, created.id, ['127.0.0.1', '192.0.2.0/24', '2001:db8:0:0:0:0:0:7']);
      const again = await admin.addAccessListEntries(ORG, created.id, ['192.0.2.0/24']);
      await admin.assignKeyToProject(PROJECT_A, created.id, ['GROUP_OWNER']);
      await admin.assignKeyToProject(PROJECT_B, created.id, ['GROUP_READ_ONLY', 'GROUP_DATA_ACCESS_READ_WRITE']);
      await admin.assignKeyToProject(PROJECT_B, created.id, ['GROUP_READ_ONLY']);

      // Assess
      const stored = simKey(created.id)!;
      expect(created.privateKey).toBe(stored.privateKey);
      expect(created.privateKey).toMatch(/^[0-9a-f-]{36}$/);
      expect(listed['privateKey']).not.toBe(stored.privateKey);
      expect(updated.desc).toBe('renamed');
      expect('privateKey' in updated).toBe(false);
      expect(entries.map((entry) => entry.cidrBlock)).toEqual(['127.0.0.1/32', '192.0.2.0/24', '2001:db8:0:0:0:0:0:7/128']);
      expect(again).toHaveLength(3);
      expect(stored.roles).toEqual([
        { orgId: ORG, roleName: 'ORG_READ_ONLY' },
        { groupId: PROJECT_A, roleName: 'GROUP_OWNER' },
        { groupId: PROJECT_B, roleName: 'GROUP_READ_ONLY' },
      ]);
      // The new key works at once, from an address on its access list.
      const own = digest({ publicKey: created.publicKey, privateKey: created.privateKey }, flavor);
      expect((await own.getOrg(ORG)).id).toBe(ORG);
      // Its private key is registered for redaction the moment the client parsed it.
      expect(redact(`leaked ${created.privateKey} here`)).toBe('leaked [REDACTED] here');
    });

    it('refuses writes without Org Owner, and bad input before it reaches the simulator', async () => {
      // Prepare
      const member = digest(KEYS.app, flavor);
      const admin = digest(KEYS.worker, flavor);
      const requestsBefore = () => sim.requests.length;

      // Act
      const forbidden = await member.createOrgKey(ORG, { desc: 'x', roles: ['ORG_MEMBER'] }).catch((error: unknown) => error);
      const sent = requestsBefore();
      const badRole = await admin.createOrgKey(ORG, { desc: 'x', roles: ['org owner'] }).catch((error: unknown) => error);
      const longDesc = await admin.updateOrgKey(ORG, KEYS.app.id, { desc: 'x'.repeat(251) }).catch((error: unknown) => error);
      const badEntry = await admin.addAccessListEntries(ORG, KEYS.app.id, ['not-an-ip']).catch((error: unknown) => error);

      // Assess
      expect(forbidden).toMatchObject({ status: 403, errorCode: 'NOT_ORG_OWNER' });
      expect([badRole, longDesc, badEntry].map((error) => (error as Error).name)).toEqual([
        'InputValidationError',
        'InputValidationError',
        'InputValidationError',
      ]);
      expect(requestsBefore()).toBe(sent);
    });
  });

  it('retries a create only after a 429: after a 5xx the key may exist, so it is not sent again', async () => {
    // Prepare: the client holds a Digest nonce already, so every POST below is a signed attempt
    const admin = digest(KEYS.worker);
    await admin.getOrg(ORG);
    sim.addFault({ method: 'POST', path: /\/apiKeys$/, times: 1, fault: { kind: 'status', status: 503 } });
    const posts = () => sim.requests.filter((request) => request.method === 'POST').length;

    // Act
    const failed = await admin.createOrgKey(ORG, { desc: 'one', roles: ['ORG_MEMBER'] }).catch((error: unknown) => error);
    const afterFailure = posts();
    sim.addFault({ method: 'POST', path: /\/apiKeys$/, times: 1, fault: { kind: 'status', status: 429, retryAfterSeconds: 0 } });
    const created = await admin.createOrgKey(ORG, { desc: 'two', roles: ['ORG_MEMBER'] });

    // Assess
    expect(failed).toMatchObject({ status: 503 });
    expect(afterFailure).toBe(1);
    expect(posts()).toBe(3);
    expect(simKey(created.id)?.desc).toBe('two');
  });

  describe('service-account secrets (Atlas, version 2024-08-05)', () => {
    it('creates a second secret, cuts the first to 7 days, authenticates with either, then refuses a third', async () => {
      // Prepare
      const admin = oauth(ACCOUNTS.worker.clientId, ACCOUNTS.worker.secret);

      // Act
      const created = await admin.createServiceAccountSecret(ORG, ACCOUNTS.app.clientId, 2160);
      const account = await admin.getServiceAccount(ORG, ACCOUNTS.app.clientId);
      const third = await admin.createServiceAccountSecret(ORG, ACCOUNTS.app.clientId, 24).catch((error: unknown) => error);
      const withOld = await oauth(ACCOUNTS.app.clientId, ACCOUNTS.app.secret).getOrg(ORG);
      const withNew = await oauth(ACCOUNTS.app.clientId, created.secret).getOrg(ORG);

      // Assess
      expect(created.secret).toMatch(/^mdb_sa_sk_/);
      expect(created.expiresAt).toBe('2027-01-30T12:00:00Z');
      expect(account.secrets.map((secret) => [secret.id, secret.expiresAt])).toEqual([
        [ACCOUNTS.app.secretId, '2026-11-08T12:00:00Z'],
        [created.id, '2027-01-30T12:00:00Z'],
      ]);
      expect(JSON.stringify(account)).not.toContain(created.secret);
      expect(third).toMatchObject({ status: 400, errorCode: SECRET_LIMIT_ERROR_CODE });
      expect([withOld.id, withNew.id]).toEqual([ORG, ORG]);
      expect(redact(`x ${created.secret} y`)).toBe('x [REDACTED] y');
    });

    it('an expired secret no longer authenticates; a deleted one neither; deleting again is already-absent', async () => {
      // Prepare
      const admin = oauth(ACCOUNTS.worker.clientId, ACCOUNTS.worker.secret);
      const created = await admin.createServiceAccountSecret(ORG, ACCOUNTS.app.clientId, 24);

      // Act
      nowMs += 8 * 86_400_000; // past the old secret's cut expiry (7 days) and the new one's (24 hours)
      const expiredOld = await oauth(ACCOUNTS.app.clientId, ACCOUNTS.app.secret).getOrg(ORG).catch((error: unknown) => error);
      const expiredNew = await oauth(ACCOUNTS.app.clientId, created.secret).getOrg(ORG).catch((error: unknown) => error);
      const deleted = await oauth(ACCOUNTS.worker.clientId, ACCOUNTS.worker.secret).deleteServiceAccountSecret(ORG, ACCOUNTS.app.clientId, created.id);
      const again = await oauth(ACCOUNTS.worker.clientId, ACCOUNTS.worker.secret).deleteServiceAccountSecret(ORG, ACCOUNTS.app.clientId, created.id);

      // Assess
      expect(expiredOld).toMatchObject({ kind: 'auth' });
      expect(expiredNew).toMatchObject({ kind: 'auth' });
      expect([deleted, again]).toEqual(['done', 'already-absent']);
      expect(sim.state.serviceAccounts.find((account) => account.clientId === ACCOUNTS.app.clientId)?.secrets?.map((secret) => secret.id)).toEqual([
        ACCOUNTS.app.secretId,
      ]);
    });

    it('service accounts are Atlas only: the client refuses them on Ops Manager before any request', async () => {
      // Prepare
      const client = digest(KEYS.worker, 'ops-manager');
      const before = sim.requests.length;

      // Act
      const failure = await client.getServiceAccount(ORG, ACCOUNTS.app.clientId).catch((error: unknown) => error);

      // Assess
      expect((failure as Error).message).toMatch(/flavor: getServiceAccount exists on Atlas only/);
      expect(sim.requests.length).toBe(before);
    });

    it('answers 406 for a service-account request at the API-key version (the resource has no 2023-01-01 version)', async () => {
      // Act
      const response = await fetch(`${sim.baseUrl}/api/atlas/v2/orgs/${ORG}/serviceAccounts/${ACCOUNTS.app.clientId}`, {
        headers: { accept: 'application/vnd.atlas.2023-01-01+json' },
      });

      // Assess
      expect(response.status).toBe(406);
      expect(await response.json()).toMatchObject({ errorCode: 'INVALID_VERSION_DATE' });
    });
  });
});
