import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Simulator, type SimWorkerCredentials, startSimulator } from '../../sim/index.ts';
import { readToken } from './helpers/read-json.ts';
import { ATLAS_ACCEPT, digestHeader, md5, parseChallenge } from './helpers/digest-client.ts';

describe('Function: startSimulator', () => {
  let sim: Simulator;
  let worker: SimWorkerCredentials;
  let clock: number;

  beforeEach(async () => {
    clock = Date.parse('2025-03-01T00:00:00Z');
    sim = await startSimulator({
      seed: { seed: 11, keysPerOrg: 3, now: new Date(clock) },
      now: () => new Date(clock),
      nonceTtlMs: 60_000,
      tokenTtlSeconds: 120,
    });
    worker = sim.workers[0] as SimWorkerCredentials;
  });

  afterEach(async () => {
    await sim.close();
  });

  /** One request with a hand-computed Digest header. */
  async function signed(path: string, nonce: string, nc: number, options: { method?: string; password?: string; username?: string } = {}) {
    const method = options.method ?? 'GET';
    const authorization = digestHeader({
      username: options.username ?? worker.publicKey,
      password: options.password ?? worker.privateKey,
      method,
      uri: path,
      nonce,
      nc,
    });
    return fetch(sim.baseUrl + path, { method, headers: { Accept: ATLAS_ACCEPT, Authorization: authorization } });
  }

  async function challenge(path: string): Promise<Record<string, string>> {
    const response = await fetch(sim.baseUrl + path, { headers: { Accept: ATLAS_ACCEPT } });
    expect(response.status).toBe(401);
    return parseChallenge(response.headers.get('www-authenticate'));
  }

  describe('HTTP Digest', () => {
    it('challenges with the MMS realm, MD5 and qop=auth, then accepts a hand-computed response', async () => {
      // Prepare
      const path = `/api/atlas/v2/orgs/${worker.orgId}?pretty=false`;
      const first = await fetch(sim.baseUrl + path, { headers: { Accept: ATLAS_ACCEPT } });
      const header = first.headers.get('www-authenticate') ?? '';
      const fields = parseChallenge(header);
      const cnonce = '0a4f113b';
      const ha1 = md5(`${worker.publicKey}:MMS Public API:${worker.privateKey}`);
      const ha2 = md5(`GET:${path}`);
      const response = md5(`${ha1}:${fields['nonce']}:00000001:${cnonce}:auth:${ha2}`);

      // Act
      const second = await fetch(sim.baseUrl + path, {
        headers: {
          Accept: ATLAS_ACCEPT,
          Authorization: `Digest username="${worker.publicKey}", realm="MMS Public API", nonce="${fields['nonce']}", uri="${path}", qop=auth, nc=00000001, cnonce="${cnonce}", response="${response}", algorithm=MD5`,
        },
      });

      // Assess
      expect(first.status).toBe(401);
      expect(await first.json()).toStrictEqual({ detail: expect.any(String), error: 401, errorCode: 'UNEXPECTED_ERROR', reason: 'Unauthorized' });
      expect(header).toMatch(/^Digest realm="MMS Public API", domain="", nonce="[^"]+", algorithm=MD5, qop="auth", stale=false$/);
      expect(second.status).toBe(200);
      expect(sim.requests.map((entry) => entry.auth)).toStrictEqual(['none', 'digest']);
      expect(JSON.stringify(sim.requests)).not.toContain(worker.privateKey);
    });

    it('lets a nonce be reused with new nc values (out of order too), and rejects a replayed nc as stale', async () => {
      // Prepare
      const path = `/api/atlas/v2/orgs/${worker.orgId}`;
      const { nonce = '' } = await challenge(path);

      // Act
      const one = await signed(path, nonce, 1);
      const three = await signed(path, nonce, 3);
      const lateTwo = await signed(path, nonce, 2);
      const replay = await signed(path, nonce, 3);
      const tooOld = await signed(path, nonce, 200).then(() => signed(path, nonce, 100));

      // Assess
      expect([one.status, three.status, lateTwo.status, replay.status, tooOld.status]).toStrictEqual([200, 200, 200, 401, 401]);
      expect(parseChallenge(replay.headers.get('www-authenticate'))['stale']).toBe('true');
    });

    it('answers an expired nonce with 401 stale=true and a fresh nonce that works', async () => {
      // Prepare
      const path = `/api/atlas/v2/orgs/${worker.orgId}`;
      const { nonce = '' } = await challenge(path);
      clock += 60_001;

      // Act
      const expired = await signed(path, nonce, 1);
      const fresh = parseChallenge(expired.headers.get('www-authenticate'));
      const retried = await signed(path, fresh['nonce'] ?? '', 1);

      // Assess
      expect(expired.status).toBe(401);
      expect(fresh['stale']).toBe('true');
      expect(fresh['nonce']).not.toBe(nonce);
      expect(retried.status).toBe(200);
    });

    it.each([
      ['a wrong password', { password: 'wrong' }],
      ['an unknown user', { username: 'nobodyxx' }],
    ])('answers %s with 401 UNEXPECTED_ERROR and stale=false', async (_, options) => {
      // Prepare
      const path = `/api/atlas/v2/orgs/${worker.orgId}`;
      const { nonce = '' } = await challenge(path);

      // Act
      const response = await signed(path, nonce, 1, options);

      // Assess
      expect(response.status).toBe(401);
      expect(await response.json()).toMatchObject({ errorCode: 'UNEXPECTED_ERROR' });
      expect(parseChallenge(response.headers.get('www-authenticate'))['stale']).toBe('false');
    });

    it('rejects a Digest uri that differs from the request target', async () => {
      // Prepare
      const path = `/api/atlas/v2/orgs/${worker.orgId}`;
      const { nonce = '' } = await challenge(path);
      const authorization = digestHeader({ username: worker.publicKey, password: worker.privateKey, method: 'GET', uri: '/other', nonce, nc: 1 });

      // Act
      const response = await fetch(sim.baseUrl + path, { headers: { Accept: ATLAS_ACCEPT, Authorization: authorization } });

      // Assess
      expect(response.status).toBe(401);
    });
  });

  describe('OAuth service accounts', () => {
    const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
    const requestToken = (id: string, secret: string) =>
      fetch(`${sim.baseUrl}/api/oauth/token`, {
        method: 'POST',
        headers: { Authorization: basic(id, secret), 'Content-Type': 'application/x-www-form-urlencoded' },
        body: 'grant_type=client_credentials',
      });

    it('issues an opaque Bearer token that works on Atlas paths until it expires', async () => {
      // Act
      const issued = await requestToken(worker.clientId, worker.clientSecret);
      const token = await readToken(issued);
      const path = `${sim.baseUrl}/api/atlas/v2/orgs/${worker.orgId}/apiKeys`;
      const used = await fetch(path, { headers: { Accept: ATLAS_ACCEPT, Authorization: `Bearer ${token.access_token}` } });
      clock += 120_000;
      const expired = await fetch(path, { headers: { Accept: ATLAS_ACCEPT, Authorization: `Bearer ${token.access_token}` } });

      // Assess
      expect(issued.status).toBe(200);
      expect(token).toStrictEqual({ access_token: expect.any(String), expires_in: 120, token_type: 'Bearer' });
      expect(token.access_token).not.toContain(worker.clientId);
      expect(token.access_token.length).toBeGreaterThanOrEqual(32);
      expect(used.status).toBe(200);
      expect(expired.status).toBe(401);
      expect(await expired.json()).toMatchObject({ errorCode: 'UNEXPECTED_ERROR' });
    });

    it('answers bad client credentials with an OAuth-shaped 401 invalid_client', async () => {
      // Act
      const response = await requestToken(worker.clientId, 'mdb_sa_sk_wrong');

      // Assess
      expect(response.status).toBe(401);
      expect(await response.json()).toMatchObject({ error: 'invalid_client' });
    });

    it('allows about 10 token requests a minute per client, then 429 rate_limited', async () => {
      // Act
      const statuses: number[] = [];
      for (let attempt = 0; attempt < 11; attempt += 1) statuses.push((await requestToken(worker.clientId, worker.clientSecret)).status);
      const limited = await requestToken(worker.clientId, worker.clientSecret);

      // Assess
      expect(statuses.slice(0, 10).every((status) => status === 200)).toBe(true);
      expect(statuses[10]).toBe(429);
      expect(await limited.json()).toMatchObject({ error: 'rate_limited' });
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    });

    it('revokes a token', async () => {
      // Prepare
      const { access_token: token } = await readToken(await requestToken(worker.clientId, worker.clientSecret));

      // Act
      const revoked = await fetch(`${sim.baseUrl}/api/oauth/revoke`, {
        method: 'POST',
        headers: { Authorization: basic(worker.clientId, worker.clientSecret), 'Content-Type': 'application/x-www-form-urlencoded' },
        body: `token=${token}`,
      });
      const used = await fetch(`${sim.baseUrl}/api/atlas/v2/orgs/${worker.orgId}`, { headers: { Accept: ATLAS_ACCEPT, Authorization: `Bearer ${token}` } });

      // Assess
      expect(revoked.status).toBe(200);
      expect(used.status).toBe(401);
    });

    it('refuses Bearer tokens on Ops Manager paths (Digest only there)', async () => {
      // Prepare
      const { access_token: token } = await readToken(await requestToken(worker.clientId, worker.clientSecret));

      // Act
      const response = await fetch(`${sim.baseUrl}/api/public/v1.0/orgs/${worker.orgId}`, { headers: { Authorization: `Bearer ${token}` } });

      // Assess
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toMatch(/^Digest /);
    });
  });
});
