import type { SimApiKey, SimState } from '../../../sim/types.ts';

/** Hand-written state with known ids, for tests that need exact roles and entries. */
export const ORG = 'aaaaaaaaaaaaaaaaaaaaaa01';
export const OTHER_ORG = 'aaaaaaaaaaaaaaaaaaaaaa02';
export const PROJECT = 'bbbbbbbbbbbbbbbbbbbbbb01';
export const OTHER_PROJECT = 'bbbbbbbbbbbbbbbbbbbbbb02';
export const FOREIGN_PROJECT = 'bbbbbbbbbbbbbbbbbbbbbb03';

function key(id: string, publicKey: string, roles: SimApiKey['roles'], accessList: SimApiKey['accessList'] = [], orgId = ORG): SimApiKey {
  return { id, publicKey, privateKey: `00000000-0000-0000-0000-${id.slice(-12)}`, desc: `key-${publicKey}`, orgId, roles, accessList };
}

export const KEYS = {
  owner: 'cccccccccccccccccccccc01',
  member: 'cccccccccccccccccccccc02',
  projectOwner: 'cccccccccccccccccccccc03',
  target: 'cccccccccccccccccccccc04',
  foreign: 'cccccccccccccccccccccc05',
  fenced: 'cccccccccccccccccccccc06',
} as const;

export function buildFixture(): SimState {
  return {
    orgs: [
      { id: ORG, name: 'fixture-org' },
      { id: OTHER_ORG, name: 'other-org' },
    ],
    projects: [
      { id: PROJECT, name: 'fixture-prod', orgId: ORG, created: '2024-01-01T00:00:00Z', clusterCount: 2 },
      { id: OTHER_PROJECT, name: 'fixture-dev', orgId: ORG },
      { id: FOREIGN_PROJECT, name: 'other-prod', orgId: OTHER_ORG },
    ],
    apiKeys: [
      key(KEYS.owner, 'ownerkey', [{ orgId: ORG, roleName: 'ORG_OWNER' }], [
        { cidrBlock: '127.0.0.1', ipAddress: '127.0.0.1', created: '2024-01-01T00:00:00Z', lastUsed: '2024-06-01T00:00:00Z', lastUsedAddress: '127.0.0.1', count: 5 },
        { cidrBlock: '192.0.2.0/24', created: '2024-01-01T00:00:00Z', count: 0 },
      ]),
      key(KEYS.member, 'memberke', [{ orgId: ORG, roleName: 'ORG_MEMBER' }]),
      key(KEYS.projectOwner, 'projowne', [
        { orgId: ORG, roleName: 'ORG_READ_ONLY' },
        { groupId: PROJECT, roleName: 'GROUP_OWNER' },
      ]),
      key(
        KEYS.target,
        'targetke',
        [
          { orgId: ORG, roleName: 'ORG_MEMBER' },
          { groupId: PROJECT, roleName: 'GROUP_READ_ONLY' },
          { groupId: OTHER_PROJECT, roleName: 'GROUP_OWNER' },
        ],
        [
          { cidrBlock: '198.51.100.7', ipAddress: '198.51.100.7', created: '2024-01-01T00:00:00Z', count: 0 },
          { cidrBlock: '2001:db8::1', ipAddress: '2001:db8::1', created: '2024-01-01T00:00:00Z', lastUsed: '2024-02-01T00:00:00Z', lastUsedAddress: '2001:db8::1', count: 3 },
          { cidrBlock: '203.0.113.0/24', created: '2024-01-01T00:00:00Z', count: 0 },
        ],
      ),
      key(KEYS.foreign, 'foreignk', [{ orgId: OTHER_ORG, roleName: 'ORG_OWNER' }], [], OTHER_ORG),
      key(KEYS.fenced, 'fencedke', [{ orgId: ORG, roleName: 'ORG_OWNER' }], [
        { cidrBlock: '203.0.113.9', ipAddress: '203.0.113.9', created: '2024-01-01T00:00:00Z', count: 0 },
      ]),
    ],
    serviceAccounts: [
      { clientId: 'mdb_sa_id_0123456789abcdef01234567', clientSecret: 'mdb_sa_sk_fixture', orgId: ORG, roles: ['ORG_OWNER'] },
      { clientId: 'mdb_sa_id_0123456789abcdef0123456f', clientSecret: 'mdb_sa_sk_reader', orgId: ORG, roles: ['ORG_READ_ONLY'] },
    ],
  };
}

/** Credentials of a fixture key, in the shape `DigestClient` takes. */
export function credentialsOf(state: SimState, id: string): { publicKey: string; privateKey: string } {
  const found = state.apiKeys.find((candidate) => candidate.id === id);
  if (found === undefined) throw new Error(`no fixture key ${id}`);
  return { publicKey: found.publicKey, privateKey: found.privateKey };
}
