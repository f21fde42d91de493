import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Simulator, startSimulator } from '../../sim/index.ts';
import { readPage } from './helpers/read-json.ts';
import { ATLAS_ACCEPT, DigestClient } from './helpers/digest-client.ts';
import { buildFixture, credentialsOf, FOREIGN_PROJECT, KEYS, ORG, OTHER_PROJECT, PROJECT } from './helpers/fixture.ts';

describe('Function: startSimulator', () => {
  let sim: Simulator;
  const as = (id: string) => new DigestClient(sim.baseUrl, credentialsOf(sim.state, id));
  const keyOf = (id: string) => sim.state.apiKeys.find((key) => key.id === id);

  beforeEach(async () => {
    sim = await startSimulator({ fixture: buildFixture(), now: () => new Date('2025-03-01T12:00:00Z') });
  });

  afterEach(async () => {
    await sim.close();
  });

  describe('role checks', () => {
    it('lets any org role read org keys and access lists, but not another org', async () => {
      // Act
      const member = await as(KEYS.member).fetch(`/api/atlas/v2/orgs/${ORG}/apiKeys`);
      const readOnly = await as(KEYS.projectOwner).fetch(`/api/atlas/v2/orgs/${ORG}/apiKeys/${KEYS.target}/accessList`);
      const foreign = await as(KEYS.foreign).fetch(`/api/atlas/v2/orgs/${ORG}/apiKeys`);

      // Assess
      expect(member.status).toBe(200);
      expect(readOnly.status).toBe(200);
      expect(foreign.status).toBe(403);
    });

    it('needs ORG_OWNER to delete an org key (403 NOT_ORG_OWNER otherwise)', async () => {
      // Act
      const response = await as(KEYS.member).fetch(`/api/atlas/v2/orgs/${ORG}/apiKeys/${KEYS.target}`, { method: 'DELETE' });

      // Assess
      expect(response.status).toBe(403);
      expect(await response.json()).toMatchObject({ error: 403, errorCode: 'NOT_ORG_OWNER' });
      expect(keyOf(KEYS.target)).toBeDefined();
    });

    it('needs GROUP_OWNER on the project or ORG_OWNER to unassign', async () => {
      // Act
      const member = await as(KEYS.member).fetch(`/api/atlas/v2/groups/${PROJECT}/apiKeys/${KEYS.target}`, { method: 'DELETE' });
      const wrongProject = await as(KEYS.projectOwner).fetch(`/api/atlas/v2/groups/${OTHER_PROJECT}/apiKeys/${KEYS.target}`, {
        method: 'DELETE',
      });
      const projectOwner = await as(KEYS.projectOwner).fetch(`/api/atlas/v2/groups/${PROJECT}/apiKeys/${KEYS.target}`, { method: 'DELETE' });

      // Assess
      expect([member.status, wrongProject.status, projectOwner.status]).toStrictEqual([403, 403, 204]);
      expect(keyOf(KEYS.target)?.roles.map((role) => role.groupId ?? role.orgId)).toStrictEqual([ORG, OTHER_PROJECT]);
    });

    it('answers 403 IP_ADDRESS_NOT_ON_ACCESS_LIST when the caller is not on its key access list', async () => {
      // Act
      const response = await as(KEYS.fenced).fetch(`/api/atlas/v2/orgs/${ORG}`);

      // Assess
      expect(response.status).toBe(403);
      expect(await response.json()).toMatchObject({ errorCode: 'IP_ADDRESS_NOT_ON_ACCESS_LIST' });
    });

    it('checks service accounts by their org roles', async () => {
      // Prepare
      const token = async (id: string, secret: string) => {
        const response = await fetch(`${sim.baseUrl}/api/oauth/token`, {
          method: 'POST',
          headers: { Authorization: `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}` },
          body: 'grant_type=client_credentials',
        });
        return ((await response.json()) as { access_token: string }).access_token;
      };
      const reader = await token('mdb_sa_id_0123456789abcdef0123456f', 'mdb_sa_sk_reader');
      const owner = await token('mdb_sa_id_0123456789abcdef01234567', 'mdb_sa_sk_fixture');
      const remove = (bearer: string) =>
        fetch(`${sim.baseUrl}/api/atlas/v2/orgs/${ORG}/apiKeys/${KEYS.member}`, {
          method: 'DELETE',
          headers: { Accept: ATLAS_ACCEPT, Authorization: `Bearer ${bearer}` },
        });

      // Act
      const denied = await remove(reader);
      const allowed = await remove(owner);

      // Assess
      expect(denied.status).toBe(403);
      expect(allowed.status).toBe(204);
      expect(sim.requests.at(-1)?.auth).toBe('bearer');
    });
  });

  describe('deletes', () => {
    it('deletes an org key (and so its project roles); a second delete is 400 API_KEY_NOT_FOUND', async () => {
      // Prepare
      const owner = as(KEYS.owner);
      const path = `/api/atlas/v2/orgs/${ORG}/apiKeys/${KEYS.target}`;

      // Act
      const first = await owner.fetch(path, { method: 'DELETE' });
      const second = await owner.fetch(path, { method: 'DELETE' });
      const projectKeys = await readPage(await owner.fetch(`/api/atlas/v2/groups/${PROJECT}/apiKeys`));

      // Assess
      expect(first.status).toBe(204);
      expect(first.headers.get('content-type')).toBe('application/vnd.atlas.2023-01-01+json;charset=utf-8');
      expect(await first.text()).toBe('');
      expect(second.status).toBe(400);
      expect(await second.json()).toMatchObject({ errorCode: 'API_KEY_NOT_FOUND', detail: `No API key with ID ${KEYS.target} exists.` });
      expect(keyOf(KEYS.target)).toBeUndefined();
      expect(projectKeys.results.map((key) => key.id)).toStrictEqual([KEYS.projectOwner]);
    });

    it('answers 404 RESOURCE_NOT_FOUND when unassigning a key not assigned to the project', async () => {
      // Act
      const response = await as(KEYS.owner).fetch(`/api/atlas/v2/groups/${PROJECT}/apiKeys/${KEYS.member}`, { method: 'DELETE' });
      const foreign = await as(KEYS.owner).fetch(`/api/atlas/v2/groups/${FOREIGN_PROJECT}/apiKeys/${KEYS.member}`, { method: 'DELETE' });

      // Assess
      expect(response.status).toBe(404);
      expect(await response.json()).toMatchObject({ errorCode: 'RESOURCE_NOT_FOUND' });
      expect(foreign.status).toBe(403);
    });

    it('answers the Ops Manager unassign with 200 and no body', async () => {
      // Act
      const response = await as(KEYS.owner).fetch(`/api/public/v1.0/groups/${PROJECT}/apiKeys/${KEYS.target}`, { method: 'DELETE' });

      // Assess
      expect(response.status).toBe(200);
      expect(await response.text()).toBe('');
    });

    it.each([
      ['an IPv6 address sent uncompressed', '2001:db8:0:0:0:0:0:1', '2001:db8::1'],
      ['a CIDR block with %2F', '203.0.113.0%2F24', '203.0.113.0/24'],
      ['an IPv4 address', '198.51.100.7', '198.51.100.7'],
    ])('deletes an access-list entry given as %s', async (_, segment, removed) => {
      // Act
      const response = await as(KEYS.owner).fetch(`/api/atlas/v2/orgs/${ORG}/apiKeys/${KEYS.target}/accessList/${segment}`, {
        method: 'DELETE',
      });
      const again = await as(KEYS.owner).fetch(`/api/atlas/v2/orgs/${ORG}/apiKeys/${KEYS.target}/accessList/${segment}`, {
        method: 'DELETE',
      });

      // Assess
      expect(response.status).toBe(204);
      expect(keyOf(KEYS.target)?.accessList.map((entry) => entry.cidrBlock)).not.toContain(removed);
      expect(again.status).toBe(404);
    });

    it('answers 400 INVALID_IP_ADDRESS_OR_CIDR_NOTATION for an unparseable address', async () => {
      // Act
      const response = await as(KEYS.owner).fetch(`/api/atlas/v2/orgs/${ORG}/apiKeys/${KEYS.target}/accessList/300.1.2.3`, {
        method: 'DELETE',
      });

      // Assess
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ errorCode: 'INVALID_IP_ADDRESS_OR_CIDR_NOTATION' });
    });

    it("refuses to remove the caller's own address from the calling key (400 CANNOT_REMOVE_CALLER_FROM_ACCESS_LIST)", async () => {
      // Act
      const own = await as(KEYS.owner).fetch(`/api/atlas/v2/orgs/${ORG}/apiKeys/${KEYS.owner}/accessList/127.0.0.1`, { method: 'DELETE' });
      const other = await as(KEYS.owner).fetch(`/api/atlas/v2/orgs/${ORG}/apiKeys/${KEYS.owner}/accessList/192.0.2.0%2F24`, {
        method: 'DELETE',
      });

      // Assess
      expect(own.status).toBe(400);
      expect(await own.json()).toMatchObject({ errorCode: 'CANNOT_REMOVE_CALLER_FROM_ACCESS_LIST' });
      expect(other.status).toBe(204);
      expect(keyOf(KEYS.owner)?.accessList.map((entry) => entry.cidrBlock)).toStrictEqual(['127.0.0.1']);
    });

    it('needs ORG_OWNER to delete access-list entries of another key', async () => {
      // Act
      const response = await as(KEYS.member).fetch(`/api/atlas/v2/orgs/${ORG}/apiKeys/${KEYS.target}/accessList/198.51.100.7`, {
        method: 'DELETE',
      });

      // Assess
      expect(response.status).toBe(403);
    });
  });

  describe('access-list entries', () => {
    it('renders entries like live Atlas: cidrBlock with a mask, IPv6 in eight groups, count 0 when never used', async () => {
      // Act
      const body = await readPage(await as(KEYS.owner).fetch(`/api/atlas/v2/orgs/${ORG}/apiKeys/${KEYS.target}/accessList`));

      // Assess
      expect(body.totalCount).toBe(3);
      expect(body.results[0]).toStrictEqual({
        cidrBlock: '198.51.100.7/32',
        count: 0,
        ipAddress: '198.51.100.7',
        created: '2024-01-01T00:00:00Z',
        links: [{ href: `${sim.baseUrl}/api/atlas/v2/orgs/${ORG}/apiKeys/${KEYS.target}/accessList/198.51.100.7`, rel: 'self' }],
      });
      expect(body.results[1]).toMatchObject({ cidrBlock: '2001:db8:0:0:0:0:0:1/128', ipAddress: '2001:db8:0:0:0:0:0:1', count: 3 });
      expect(body.results[2]).not.toHaveProperty('ipAddress');
      expect(body.results[2]).toMatchObject({ cidrBlock: '203.0.113.0/24', count: 0 });
    });

    it("records each use of a key on its matching entry: lastUsed, lastUsedAddress, count", async () => {
      // Prepare
      const owner = as(KEYS.owner);

      // Act
      await owner.fetch(`/api/atlas/v2/orgs/${ORG}`);
      await owner.fetch(`/api/atlas/v2/orgs/${ORG}`);
      const body = await readPage(await owner.fetch(`/api/atlas/v2/orgs/${ORG}/apiKeys/${KEYS.owner}/accessList`));

      // Assess
      expect(body.results[0]).toMatchObject({ lastUsed: '2025-03-01T12:00:00Z', lastUsedAddress: '127.0.0.1', count: 8 });
      expect(body.results[1]).not.toHaveProperty('lastUsed');
    });
  });

  describe('state changed by the test directly', () => {
    it('sees keys pushed into state.apiKeys, in publicKey order', async () => {
      // Prepare
      const added = { ...buildFixture().apiKeys[1]!, id: 'dddddddddddddddddddddd01', publicKey: 'addedkey', accessList: [] };
      sim.state.apiKeys.push(added);

      // Act
      const response = await as(KEYS.owner).fetch(`/api/atlas/v2/orgs/${ORG}/apiKeys/${added.id}/accessList`);
      const list = await readPage(await as(KEYS.owner).fetch(`/api/atlas/v2/orgs/${ORG}/apiKeys`));

      // Assess
      expect(response.status).toBe(200);
      expect(list.results.map((key) => key.publicKey)).toStrictEqual(['addedkey', 'fencedke', 'memberke', 'ownerkey', 'projowne', 'targetke']);
    });
  });
});
