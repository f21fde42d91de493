import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DigestAuthenticator } from '../../sim/digest-authenticator.ts';
import { type Simulator, type SimState, startSimulator } from '../../sim/index.ts';
import { ATLAS_ACCEPT, DigestClient } from './helpers/digest-client.ts';
import { buildFixture, credentialsOf, KEYS, ORG, PROJECT } from './helpers/fixture.ts';
import { type RawResponse, rawRequest } from './helpers/raw-http.ts';

/**
 * Issue 10: each difference between the simulator and live Atlas (as recorded by MongoDB's Atlas CLI end-to-end
 * tests, see shared/atlas/README.md), pinned on raw HTTP answers, so that a regression in the simulator shows
 * even where the client would tolerate it.
 */

const API = '/api/atlas/v2';
const SA = { clientId: 'mdb_sa_id_0123456789abcdef01234567', clientSecret: 'mdb_sa_sk_fixture' };
const NULL_DESC = 'cccccccccccccccccccccc07';
const MANY_ROLES = 'cccccccccccccccccccccc08';

/** The shared fixture plus a key without a description and a key with the role shapes live keys have. */
function fidelityFixture(): SimState {
  const state = buildFixture();
  const base = state.apiKeys[1]!;
  state.apiKeys.push(
    { ...base, id: NULL_DESC, publicKey: 'aanulled', desc: null, roles: [{ orgId: ORG, roleName: 'ORG_MEMBER' }] },
    {
      ...base,
      id: MANY_ROLES,
      publicKey: 'manyrole',
      roles: [
        { orgId: ORG, roleName: 'ORG_MEMBER' },
        { groupId: PROJECT, roleName: 'GROUP_OWNER' },
        { orgId: ORG, roleName: 'ORG_GROUP_CREATOR' },
        { groupId: PROJECT, roleName: 'GROUP_READ_ONLY' },
      ],
    },
  );
  return state;
}

describe('Simulator fidelity to live Atlas (raw HTTP)', () => {
  let sim: Simulator;
  let bearer: Record<string, string>;

  beforeAll(async () => {
    sim = await startSimulator({ fixture: fidelityFixture(), now: () => new Date('2025-03-01T12:00:00Z') });
    const issued = await fetch(`${sim.baseUrl}/api/oauth/token`, {
      method: 'POST',
      headers: { Authorization: `Basic ${Buffer.from(`${SA.clientId}:${SA.clientSecret}`).toString('base64')}` },
      body: 'grant_type=client_credentials',
    });
    const { access_token: token } = (await issued.json()) as { access_token: string };
    bearer = { Accept: ATLAS_ACCEPT, Authorization: `Bearer ${token}` };
  });

  afterAll(async () => {
    await sim.close();
  });

  const get = (path: string, init: { method?: string; headers?: Record<string, string> } = {}) =>
    rawRequest(`${sim.baseUrl}${API}${path}`, { method: init.method ?? 'GET', headers: init.headers ?? bearer });
  const json = <T = Record<string, unknown>>(response: RawResponse) => JSON.parse(response.text) as T;
  type Page = { results: { id: string; publicKey: string; [field: string]: unknown }[]; links: { rel: string; href: string }[] };

  describe('1. key listings are sorted by publicKey, and the order can be broken on purpose', () => {
    it('lists org keys and project keys in ordinal publicKey order, whatever the insertion order', async () => {
      // Act
      const org = json<Page>(await get(`/orgs/${ORG}/apiKeys`));
      const project = json<Page>(await get(`/groups/${PROJECT}/apiKeys`));

      // Assess
      const inserted = sim.state.apiKeys.filter((key) => key.orgId === ORG).map((key) => key.publicKey);
      const sorted = [...inserted].sort();
      expect(inserted).not.toStrictEqual(sorted);
      expect(org.results.map((key) => key.publicKey)).toStrictEqual(sorted);
      expect(project.results.map((key) => key.publicKey)).toStrictEqual(['manyrole', 'projowne', 'targetke']);
    });

    it('keeps the order across pages (each page continues where the last ended)', async () => {
      // Act
      const pages = await Promise.all([1, 2, 3].map(async (pageNum) => json<Page>(await get(`/orgs/${ORG}/apiKeys?itemsPerPage=3&pageNum=${pageNum}`))));

      // Assess
      const listed = pages.flatMap((page) => page.results.map((key) => key.publicKey));
      expect(listed).toStrictEqual([...listed].sort());
      expect(listed).toHaveLength(7);
    });

    it('lists in insertion order or a fixed shuffled order when asked, and switches back', async () => {
      // Prepare
      const inserted = sim.state.apiKeys.filter((key) => key.orgId === ORG).map((key) => key.publicKey);
      const names = async () => json<Page>(await get(`/orgs/${ORG}/apiKeys`)).results.map((key) => key.publicKey);

      // Act
      sim.listingOrder = 'insertion';
      const insertion = await names();
      sim.listingOrder = 'shuffled';
      const shuffled = await names();
      const shuffledAgain = await names();
      sim.listingOrder = 'sorted';
      const sorted = await names();

      // Assess
      expect(insertion).toStrictEqual(inserted);
      expect(shuffled).not.toStrictEqual(inserted);
      expect(shuffled).not.toStrictEqual(sorted);
      expect([...shuffled].sort()).toStrictEqual(sorted);
      expect(shuffledAgain).toStrictEqual(shuffled);
      expect(sorted).toStrictEqual([...inserted].sort());
    });

    it('rejects an unknown listing order, naming the option and the value', async () => {
      // Act / Assess
      expect(() => {
        sim.listingOrder = 'random' as 'sorted';
      }).toThrow(/listingOrder must be "sorted", "insertion" or "shuffled" \(given "random"\)/);
      await expect(startSimulator({ fixture: buildFixture(), listingOrder: 'reverse' as 'sorted' })).rejects.toThrow(/listingOrder/);
    });
  });

  describe('2. access-list entries', () => {
    it('carries count 0 on a never-used entry, and cidrBlock /32 (or /128) beside ipAddress for one address', async () => {
      // Act
      const body = json<{ results: Record<string, unknown>[] }>(await get(`/orgs/${ORG}/apiKeys/${KEYS.target}/accessList`));

      // Assess
      expect(body.results.map(({ links: _links, ...entry }) => entry)).toStrictEqual([
        { cidrBlock: '198.51.100.7/32', count: 0, created: '2024-01-01T00:00:00Z', ipAddress: '198.51.100.7' },
        {
          cidrBlock: '2001:db8:0:0:0:0:0:1/128',
          count: 3,
          created: '2024-01-01T00:00:00Z',
          ipAddress: '2001:db8:0:0:0:0:0:1',
          lastUsed: '2024-02-01T00:00:00Z',
          lastUsedAddress: '2001:db8::1',
        },
        { cidrBlock: '203.0.113.0/24', count: 0, created: '2024-01-01T00:00:00Z' },
      ]);
    });
  });

  describe('3. Content-Type', () => {
    it('is application/vnd.atlas.2023-01-01+json;charset=utf-8 on 200 and on 204 (no body)', async () => {
      // Act
      const listed = await get(`/orgs/${ORG}/apiKeys`);
      const deleted = await get(`/orgs/${ORG}/apiKeys/${KEYS.member}/accessList/192.0.2.1`, { method: 'DELETE' });
      sim.state.apiKeys.find((key) => key.id === KEYS.member)?.accessList.push({ cidrBlock: '192.0.2.9', ipAddress: '192.0.2.9', created: '2024-01-01T00:00:00Z', count: 0 });
      const removed = await get(`/orgs/${ORG}/apiKeys/${KEYS.member}/accessList/192.0.2.9`, { method: 'DELETE' });

      // Assess
      expect(listed.exact('Content-Type')).toBe('application/vnd.atlas.2023-01-01+json;charset=utf-8');
      expect(deleted.status).toBe(404);
      expect(removed.status).toBe(204);
      expect(removed.text).toBe('');
      expect(removed.exact('Content-Type')).toBe('application/vnd.atlas.2023-01-01+json;charset=utf-8');
    });
  });

  describe('4. Ratelimit-* headers', () => {
    it('come on every org (500) and project (1200) API-key answer, in Atlas capitalisation, without rate limiting switched on', async () => {
      // Act
      const answers = {
        orgList: await get(`/orgs/${ORG}/apiKeys`),
        orgKey: await get(`/orgs/${ORG}/apiKeys/${KEYS.target}`),
        accessList: await get(`/orgs/${ORG}/apiKeys/${KEYS.target}/accessList`),
        missingKey: await get(`/orgs/${ORG}/apiKeys/dddddddddddddddddddddd99`),
        unauthenticated: await get(`/orgs/${ORG}/apiKeys`, { headers: { Accept: ATLAS_ACCEPT } }),
        projectKeys: await get(`/groups/${PROJECT}/apiKeys`),
      };

      // Assess
      const seen = Object.fromEntries(
        Object.entries(answers).map(([name, answer]) => [name, [answer.status, answer.exact('Ratelimit-Limit'), answer.exact('Ratelimit-Remaining')]]),
      );
      expect(seen).toStrictEqual({
        orgList: [200, '500', '500'],
        orgKey: [200, '500', '500'],
        accessList: [200, '500', '500'],
        missingKey: [400, '500', '500'],
        unauthenticated: [401, '500', '500'],
        projectKeys: [200, '1200', '1200'],
      });
      expect(answers.orgList.rawHeaders.some(([name]) => name === 'RateLimit-Limit')).toBe(false);
    });

    it('count down with rate limiting switched on, still in Atlas capitalisation', async () => {
      // Prepare
      // One token a minute: no refill shows within the test, however slow the machine.
      const limited = await startSimulator({ fixture: buildFixture(), rateLimit: { orgCapacity: 4, orgRefillPerMinute: 1 } });
      const client = new DigestClient(limited.baseUrl, credentialsOf(limited.state, KEYS.owner));

      // Act
      await client.fetch(`${API}/orgs/${ORG}/apiKeys`);
      const raw = await rawRequest(`${limited.baseUrl}${API}/orgs/${ORG}/apiKeys`, { headers: { Accept: ATLAS_ACCEPT } });
      await limited.close();

      // Assess: the 401 shows the bucket without spending from it.
      expect(raw.status).toBe(401);
      expect([raw.exact('Ratelimit-Limit'), raw.exact('Ratelimit-Remaining')]).toStrictEqual(['4', '3']);
    });
  });

  describe('5. paging links and page size', () => {
    it('puts includeCount, pageNum and itemsPerPage in every link, with a default page size of 100', async () => {
      // Prepare
      const big = await startSimulator({ seed: { seed: 5, keysPerOrg: 150 } });
      const worker = big.workers[0]!;
      const client = new DigestClient(big.baseUrl, worker);
      const self = `${big.baseUrl}${API}/orgs/${worker.orgId}/apiKeys`;

      // Act
      const first = (await (await client.fetch(`${API}/orgs/${worker.orgId}/apiKeys`)).json()) as Page & { totalCount: number };
      const second = (await (await client.fetch(`${API}/orgs/${worker.orgId}/apiKeys?includeCount=false&pageNum=2`)).json()) as Page;
      await big.close();

      // Assess
      expect(first.results).toHaveLength(100);
      expect(first.totalCount).toBe(151);
      expect(first.links).toStrictEqual([
        { href: `${self}?includeCount=true&pageNum=1&itemsPerPage=100`, rel: 'self' },
        { href: `${self}?includeCount=true&pageNum=2&itemsPerPage=100`, rel: 'next' },
      ]);
      expect(second.links).toStrictEqual([
        { href: `${self}?includeCount=false&pageNum=2&itemsPerPage=100`, rel: 'self' },
        { href: `${self}?includeCount=false&pageNum=1&itemsPerPage=100`, rel: 'previous' },
      ]);
    });
  });

  describe('6. keys carry the role shapes of live keys', () => {
    it('renders several org roles and two roles on one project as stored, in the field order Atlas uses', async () => {
      // Act
      const response = await get(`/orgs/${ORG}/apiKeys/${MANY_ROLES}`);

      // Assess
      expect(Object.keys(json(response))).toStrictEqual(['desc', 'id', 'links', 'privateKey', 'publicKey', 'roles']);
      expect(json(response)['roles']).toStrictEqual([
        { orgId: ORG, roleName: 'ORG_MEMBER' },
        { groupId: PROJECT, roleName: 'GROUP_OWNER' },
        { orgId: ORG, roleName: 'ORG_GROUP_CREATOR' },
        { groupId: PROJECT, roleName: 'GROUP_READ_ONLY' },
      ]);
    });

    it('answers "desc": null for a key stored without a description', async () => {
      // Act
      const listed = json<Page>(await get(`/orgs/${ORG}/apiKeys`)).results.find((key) => key.id === NULL_DESC);

      // Assess
      expect(listed).toHaveProperty('desc', null);
    });
  });

  describe('7. a refused credential', () => {
    it('answers 401 UNEXPECTED_ERROR, pretty-printed, without parameters, with a standard-base64 Digest nonce', async () => {
      // Act
      const response = await get(`/orgs/${ORG}/apiKeys`, { headers: { Accept: ATLAS_ACCEPT, Authorization: 'Bearer not-a-token' } });

      // Assess
      expect(response.status).toBe(401);
      expect(response.text).toMatch(/^\{\n {2}"detail" : ".+",\n {2}"error" : 401,\n {2}"errorCode" : "UNEXPECTED_ERROR",\n {2}"reason" : "Unauthorized"\n\}$/);
      expect(json(response)).not.toHaveProperty('parameters');
      expect(response.exact('X-Error-Code')).toBe('UNEXPECTED_ERROR');
      const challenge = response.exact('WWW-Authenticate') ?? '';
      expect(challenge).toMatch(/^Digest realm="MMS Public API", domain="", nonce="[A-Za-z0-9+/]+={0,2}", algorithm=MD5, qop="auth", stale=false$/);
      const nonce = /nonce="([^"]+)"/.exec(challenge)?.[1] ?? '';
      expect(nonce).toContain('+');
      expect(nonce).toContain('/');
      expect(Buffer.from(nonce, 'base64').toString('base64')).toBe(nonce);
    });

    it('is never wrapped by envelope=true', async () => {
      // Act
      const response = await get(`/orgs/${ORG}/apiKeys?envelope=true`, { headers: { Accept: ATLAS_ACCEPT } });

      // Assess
      expect(response.status).toBe(401);
      expect(json(response)).toMatchObject({ error: 401, errorCode: 'UNEXPECTED_ERROR' });
    });
  });

  describe('8. error answers', () => {
    it('carry X-Error-Code, and parameters filled with what was not found', async () => {
      // Act
      const missing = await get(`/orgs/${ORG}/apiKeys/dddddddddddddddddddddd99`, { method: 'DELETE' });

      // Assess
      expect(missing.status).toBe(400);
      expect(missing.exact('X-Error-Code')).toBe('API_KEY_NOT_FOUND');
      expect(json(missing)).toStrictEqual({
        detail: 'No API key with ID dddddddddddddddddddddd99 exists.',
        error: 400,
        errorCode: 'API_KEY_NOT_FOUND',
        parameters: ['dddddddddddddddddddddd99'],
        reason: 'Bad Request',
      });
    });

    it('carry parameters: null where there is nothing to fill in', async () => {
      // Act
      const response = await get('/orgs/NOT-AN-ID/apiKeys');

      // Assess
      expect(response.status).toBe(400);
      expect(json(response)).toMatchObject({ errorCode: 'VALIDATION_ERROR', parameters: null });
      expect(response.exact('X-Error-Code')).toBe('VALIDATION_ERROR');
    });

    it('answer an unknown project with 404 GROUP_NOT_FOUND (read, list or unassign)', async () => {
      // Act
      const unknown = 'eeeeeeeeeeeeeeeeeeeeee01';
      const answers = [await get(`/groups/${unknown}`), await get(`/groups/${unknown}/apiKeys`), await get(`/groups/${unknown}/apiKeys/${KEYS.target}`, { method: 'DELETE' })];

      // Assess
      expect(answers.map((answer) => [answer.status, json(answer)['errorCode'], json(answer)['parameters']])).toStrictEqual([
        [404, 'GROUP_NOT_FOUND', [unknown]],
        [404, 'GROUP_NOT_FOUND', [unknown]],
        [404, 'GROUP_NOT_FOUND', [unknown]],
      ]);
    });

    it('answer a missing access-list entry with 404 API_KEY_WHITELIST_NOT_FOUND (the legacy code Atlas documents)', async () => {
      // Act
      const response = await get(`/orgs/${ORG}/apiKeys/${KEYS.target}/accessList/192.0.2.77`, { method: 'DELETE' });

      // Assess
      expect(response.status).toBe(404);
      expect(json(response)).toMatchObject({ errorCode: 'API_KEY_WHITELIST_NOT_FOUND', parameters: ['192.0.2.77', KEYS.target] });
    });

    it('can be scripted: a 404 UNEXPECTED_ERROR, a proxy HTML page, or no body at all', async () => {
      // Prepare
      const path = `/orgs/${ORG}/apiKeys/${KEYS.target}`;
      sim.addFault({ path, times: 1, fault: { kind: 'status', status: 404, errorCode: 'UNEXPECTED_ERROR' } });
      sim.addFault({ path, times: 1, after: 1, fault: { kind: 'status', status: 404, body: '<html><body>Not Found</body></html>' } });
      sim.addFault({ path, times: 1, after: 2, fault: { kind: 'status', status: 404, body: '' } });

      // Act
      const atlas = await get(path);
      const html = await get(path);
      const empty = await get(path);
      sim.clearFaults();

      // Assess
      expect([atlas.status, atlas.exact('X-Error-Code'), json(atlas)['errorCode'], json(atlas)['parameters']]).toStrictEqual([
        404,
        'UNEXPECTED_ERROR',
        'UNEXPECTED_ERROR',
        null,
      ]);
      expect([html.status, html.exact('Content-Type'), html.exact('X-Error-Code'), html.text]).toStrictEqual([
        404,
        'text/html;charset=utf-8',
        undefined,
        '<html><body>Not Found</body></html>',
      ]);
      expect([empty.status, empty.exact('Content-Type'), empty.text]).toStrictEqual([404, undefined, '']);
    });

    it('answer a path outside the APIs with the web server\'s HTML page, not an Atlas error (a wrong base URL)', async () => {
      // Act
      const response = await rawRequest(`${sim.baseUrl}/api/atlas/v1.0/orgs/${ORG}/apiKeys`, { headers: bearer });

      // Assess
      expect(response.status).toBe(404);
      expect(response.exact('Content-Type')).toBe('text/html;charset=utf-8');
      expect(response.exact('X-Error-Code')).toBeUndefined();
      expect(response.text).toMatch(/^<!DOCTYPE html>/);
    });

    it('scripted extra headers come out with the exact names given, replacing the same header in another case', async () => {
      // Prepare
      sim.addFault({ path: `/orgs/${ORG}/apiKeys`, times: 1, fault: { kind: 'headers', headers: { 'RATELIMIT-REMAINING': '7' } } });

      // Act
      const response = await get(`/orgs/${ORG}/apiKeys`);

      // Assess
      expect(response.status).toBe(200);
      expect(response.exact('RATELIMIT-REMAINING')).toBe('7');
      expect(response.rawHeaders.filter(([name]) => name.toLowerCase() === 'ratelimit-remaining')).toHaveLength(1);
      expect(json<Page>(response).results).toHaveLength(7);
    });
  });

  describe('9. envelope=true (checked against the spec: "Endpoints that return a list of results use the results object as an envelope")', () => {
    it('adds status to a list object itself and answers 200', async () => {
      // Act
      const response = await get(`/orgs/${ORG}/apiKeys?envelope=true&itemsPerPage=2`);

      // Assess
      const body = json<Page & { status: number; totalCount: number }>(response);
      expect(response.status).toBe(200);
      expect(Object.keys(body).sort()).toStrictEqual(['links', 'results', 'status', 'totalCount']);
      expect(body.status).toBe(200);
      expect(body.results).toHaveLength(2);
    });

    it('wraps one object, or an error, as {status, content}', async () => {
      // Act
      const one = await get(`/groups/${PROJECT}?envelope=true`);
      const missing = await get('/groups/eeeeeeeeeeeeeeeeeeeeee01?envelope=true');

      // Assess
      expect([one.status, json(one)['status'], (json(one)['content'] as { id: string }).id]).toStrictEqual([200, 200, PROJECT]);
      expect([missing.status, json(missing)['status'], (json(missing)['content'] as { errorCode: string }).errorCode]).toStrictEqual([
        200,
        404,
        'GROUP_NOT_FOUND',
      ]);
    });
  });

  describe('GET /groups/{groupId}', () => {
    it('reads one project with its orgId', async () => {
      // Act
      const response = await get(`/groups/${PROJECT}`);

      // Assess
      expect(response.status).toBe(200);
      expect(json(response)).toMatchObject({ id: PROJECT, orgId: ORG, name: 'fixture-prod' });
    });
  });
});

describe('10. Digest nonce expiry is O(1) amortised (counted work, not time)', () => {
  it('looks at one nonce per challenge while none expire, however many are live', () => {
    // Prepare
    let now = 0;
    const digest = new DigestAuthenticator(1_000, () => now);
    for (let count = 0; count < 20_000; count += 1) digest.challenge(false);
    const before = digest.examined;

    // Act
    now = 999;
    for (let count = 0; count < 5_000; count += 1) digest.challenge(false);

    // Assess: the old code scanned all 20,000+ nonces on every challenge past 10,000 live ones.
    expect(digest.examined - before).toBe(5_000);
    expect(digest.size).toBe(25_000);
  });

  it('forgets each expired nonce once, from the oldest, and stops at the first live one', () => {
    // Prepare
    let now = 0;
    const digest = new DigestAuthenticator(1_000, () => now);
    for (let count = 0; count < 20_000; count += 1) digest.challenge(false);
    now = 500;
    for (let count = 0; count < 100; count += 1) digest.challenge(false);
    const before = digest.examined;

    // Act: the first 20,000 have expired, the last 100 have not.
    now = 1_000;
    for (let count = 0; count < 5_000; count += 1) digest.challenge(false);

    // Assess: 20,000 expired ones looked at once each, plus one live one per challenge.
    expect(digest.examined - before).toBe(20_000 + 5_000);
    expect(digest.size).toBe(5_100);
  });
});
