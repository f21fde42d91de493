import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Simulator, startSimulator } from '../../sim/index.ts';
import { readPage } from './helpers/read-json.ts';
import { DigestClient } from './helpers/digest-client.ts';

const now = new Date('2025-03-01T00:00:00Z');

describe('Function: startSimulator', () => {
  let sim: Simulator;
  let client: DigestClient;
  let orgId: string;

  beforeAll(async () => {
    sim = await startSimulator({ seed: { seed: 5, keysPerOrg: 11, now } });
    const worker = sim.workers[0];
    if (worker === undefined) throw new Error('no worker');
    orgId = worker.orgId;
    client = new DigestClient(sim.baseUrl, worker);
  });

  afterAll(async () => {
    await sim.close();
  });

  describe('version negotiation', () => {
    it.each([
      ['missing', undefined],
      ['unversioned JSON', 'application/json'],
      ['malformed date', 'application/vnd.atlas.2023-13-45+json'],
      ['date before the first version', 'application/vnd.atlas.2022-12-31+json'],
      ['not a date', 'application/vnd.atlas.latest+json'],
    ])('answers 406 INVALID_VERSION_DATE for a %s Accept header', async (_, accept) => {
      // Act
      const response = await fetch(`${sim.baseUrl}/api/atlas/v2/orgs/${orgId}`, accept === undefined ? {} : { headers: { Accept: accept } });

      // Assess
      expect(response.status).toBe(406);
      expect(response.headers.get('content-type')).toBe('application/json');
      expect(await response.json()).toMatchObject({ error: 406, errorCode: 'INVALID_VERSION_DATE', reason: 'Not Acceptable' });
    });

    it('resolves a later date to the 2023-01-01 version and says so in Content-Type', async () => {
      // Act
      const response = await client.fetch(`/api/atlas/v2/orgs/${orgId}`, { headers: { Accept: 'application/vnd.atlas.2025-03-12+json' } });

      // Assess
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('application/vnd.atlas.2023-01-01+json;charset=utf-8');
      expect(await response.json()).toMatchObject({ id: orgId, name: 'sim-org-1', isDeleted: false });
    });

    it('serves Ops Manager paths with application/json (or no Accept at all)', async () => {
      // Act
      const response = await client.fetch(`/api/public/v1.0/orgs/${orgId}/apiKeys`, { headers: { Accept: '*/*' } });

      // Assess
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('application/json');
      expect((await readPage(response)).totalCount).toBe(12);
    });
  });

  describe('paging', () => {
    it('walks every page with next/previous links and totalCount, in publicKey order', async () => {
      // Prepare
      const expected = sim.state.apiKeys
        .filter((key) => key.orgId === orgId)
        .sort((a, b) => (a.publicKey < b.publicKey ? -1 : 1))
        .map((key) => key.id);
      const seen: string[] = [];
      let path: string | undefined = `/api/atlas/v2/orgs/${orgId}/apiKeys?itemsPerPage=5`;
      const rels: string[][] = [];

      // Act
      while (path !== undefined) {
        const response = await client.fetch(path);
        const body = (await response.json()) as { results: { id: string }[]; totalCount: number; links: { rel: string; href: string }[] };
        expect(body.totalCount).toBe(12);
        seen.push(...body.results.map((key) => key.id));
        rels.push(body.links.map((link) => link.rel));
        const next = body.links.find((link) => link.rel === 'next')?.href;
        path = next === undefined ? undefined : next.slice(sim.baseUrl.length);
      }

      // Assess
      expect(seen).toStrictEqual(expected);
      expect(rels).toStrictEqual([['self', 'next'], ['self', 'next', 'previous'], ['self', 'previous']]);
    });

    it('omits totalCount when includeCount=false and returns an empty page past the end', async () => {
      // Act
      const response = await client.fetch(`/api/atlas/v2/orgs/${orgId}/apiKeys?includeCount=false&pageNum=9`);
      const body = await readPage(response);

      // Assess
      expect(body.results).toStrictEqual([]);
      expect(body).not.toHaveProperty('totalCount');
      expect(body.links.map((link) => link.rel)).toStrictEqual(['self', 'previous']);
    });

    it.each(['0', '501', 'ten'])('answers 400 for itemsPerPage=%s', async (value) => {
      // Act
      const response = await client.fetch(`/api/atlas/v2/orgs/${orgId}/apiKeys?itemsPerPage=${value}`);

      // Assess
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ error: 400, errorCode: 'INVALID_QUERY_PARAMETER' });
    });

    it('masks private keys and renders roles and self links like the spec', async () => {
      // Prepare
      sim.listingOrder = 'insertion';

      // Act
      const body = await readPage(await client.fetch(`/api/atlas/v2/orgs/${orgId}/apiKeys?itemsPerPage=1`));
      sim.listingOrder = 'sorted';

      // Assess
      const [key] = body.results;
      const stored = sim.state.apiKeys[0];
      expect(key).toStrictEqual({
        id: stored?.id,
        desc: 'atlas-key-worker',
        publicKey: stored?.publicKey,
        privateKey: `********-****-****-${stored?.privateKey.slice(-12)}`,
        roles: [{ orgId, roleName: 'ORG_OWNER' }],
        links: [{ href: `${sim.baseUrl}/api/atlas/v2/orgs/${orgId}/apiKeys/${stored?.id}`, rel: 'self' }],
      });
    });
  });

  describe('envelope and pretty', () => {
    it('wraps one object with its status as {status, content} and answers 200, even for an error', async () => {
      // Act
      const ok = await client.fetch(`/api/atlas/v2/orgs/${orgId}?envelope=true`);
      const missing = await client.fetch('/api/atlas/v2/orgs/ffffffffffffffffffffffff?envelope=true');

      // Assess
      expect(ok.status).toBe(200);
      expect(await ok.json()).toMatchObject({ status: 200, content: { id: orgId } });
      expect(missing.status).toBe(200);
      expect(await missing.json()).toMatchObject({ status: 404, content: { errorCode: 'RESOURCE_NOT_FOUND' } });
    });

    it('indents JSON with pretty=true the way Atlas (Jackson) does', async () => {
      // Act
      const text = await (await client.fetch(`/api/atlas/v2/orgs/${orgId}?pretty=true`)).text();

      // Assess
      expect(text).toContain('\n  "id" : ');
      expect(JSON.parse(text)).toMatchObject({ id: orgId });
    });
  });

  describe('routing', () => {
    it('answers 404 RESOURCE_NOT_FOUND for an unknown path and 405 for a wrong method', async () => {
      // Act
      const unknown = await client.fetch('/api/atlas/v2/clusters');
      const wrongMethod = await client.fetch(`/api/atlas/v2/orgs/${orgId}`, { method: 'DELETE' });

      // Assess
      expect(unknown.status).toBe(404);
      expect(await unknown.json()).toMatchObject({ errorCode: 'RESOURCE_NOT_FOUND' });
      expect(wrongMethod.status).toBe(405);
      expect(wrongMethod.headers.get('allow')).toBe('GET');
    });

    it('answers 400 VALIDATION_ERROR for an id that is not 24 hex digits, and 404 for an unknown org', async () => {
      // Act
      const invalid = await client.fetch('/api/atlas/v2/orgs/NOT-AN-ID/apiKeys');
      const unknown = await client.fetch('/api/atlas/v2/orgs/0123456789abcdef01234567/apiKeys');

      // Assess
      expect(invalid.status).toBe(400);
      expect(await invalid.json()).toMatchObject({ errorCode: 'VALIDATION_ERROR' });
      expect(unknown.status).toBe(404);
    });

    it('lists projects of the org and those the caller can see', async () => {
      // Act
      const orgProjects = await readPage(await client.fetch(`/api/atlas/v2/orgs/${orgId}/groups`));
      const visible = await readPage(await client.fetch('/api/atlas/v2/groups'));

      // Assess
      expect(orgProjects.totalCount).toBe(3);
      expect(visible.results.map((project) => project.id)).toStrictEqual(sim.state.projects.map((project) => project.id));
      expect(orgProjects.results[0]).toMatchObject({ orgId, clusterCount: expect.any(Number), created: expect.stringMatching(/Z$/) });
    });
  });
});
