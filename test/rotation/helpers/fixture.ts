import type { SimApiKey, SimState } from '../../../sim/types.ts';

/** Hand-written state for rotation tests: known ids, roles on two projects, access lists, service accounts. */
export const T0 = Date.parse('2026-11-01T12:00:00Z');
export const ORG = 'aaaaaaaaaaaaaaaaaaaaaa01';
export const OTHER_ORG = 'aaaaaaaaaaaaaaaaaaaaaa02';
export const PROJECT_A = 'bbbbbbbbbbbbbbbbbbbbbb01';
export const PROJECT_B = 'bbbbbbbbbbbbbbbbbbbbbb02';

export const KEYS = {
  worker: { id: 'cccccccccccccccccccccc01', publicKey: 'workerky', privateKey: '11111111-1111-4111-8111-111111111111' },
  app: { id: 'cccccccccccccccccccccc02', publicKey: 'appkeyzz', privateKey: '22222222-2222-4222-8222-222222222222' },
  bystander: { id: 'cccccccccccccccccccccc03', publicKey: 'bystandr', privateKey: '33333333-3333-4333-8333-333333333333' },
  fenced: { id: 'cccccccccccccccccccccc04', publicKey: 'fencedky', privateKey: '44444444-4444-4444-8444-444444444444' },
} as const;

export const ACCOUNTS = {
  worker: { clientId: 'mdb_sa_id_0123456789abcdef01234567', secret: 'mdb_sa_sk_workersecret0000000000000001', secretId: 'dddddddddddddddddddddd01' },
  app: { clientId: 'mdb_sa_id_0123456789abcdef0123456a', secret: 'mdb_sa_sk_appsecret000000000000000000001', secretId: 'dddddddddddddddddddddd02' },
} as const;

const iso = (ms: number) => `${new Date(ms).toISOString().slice(0, 19)}Z`;
const DAY = 86_400_000;

function key(spec: { id: string; publicKey: string; privateKey: string }, desc: string, roles: SimApiKey['roles'], entries: string[]): SimApiKey {
  return {
    ...spec,
    desc,
    orgId: ORG,
    roles,
    accessList: entries.map((cidrBlock, at) => ({
      cidrBlock,
      ...(cidrBlock.includes('/') ? {} : { ipAddress: cidrBlock }),
      created: iso(T0 - 200 * DAY),
      // Every entry was used yesterday: every key is fresh, so a sweep leaves it alone.
      lastUsed: iso(T0 - DAY - at * 60_000),
      lastUsedAddress: cidrBlock.replace(/\/\d+$/, '').replace(/\.0$/, '.1'),
      count: 42,
    })),
  };
}

export function buildRotationFixture(): SimState {
  return {
    orgs: [
      { id: ORG, name: 'rotation-org' },
      { id: OTHER_ORG, name: 'other-org' },
    ],
    projects: [
      { id: PROJECT_A, name: 'rotation-prod', orgId: ORG },
      { id: PROJECT_B, name: 'rotation-dev', orgId: ORG },
    ],
    apiKeys: [
      key(KEYS.worker, 'atlas-key-worker', [{ orgId: ORG, roleName: 'ORG_OWNER' }], ['127.0.0.1']),
      key(
        KEYS.app,
        'billing-service prod',
        [
          { orgId: ORG, roleName: 'ORG_MEMBER' },
          { orgId: ORG, roleName: 'ORG_READ_ONLY' },
          { groupId: PROJECT_A, roleName: 'GROUP_OWNER' },
          { groupId: PROJECT_B, roleName: 'GROUP_READ_ONLY' },
          { groupId: PROJECT_B, roleName: 'GROUP_DATA_ACCESS_READ_WRITE' },
        ],
        ['127.0.0.1', '192.0.2.0/24', '2001:db8::7'],
      ),
      key(KEYS.bystander, 'reporting', [{ orgId: ORG, roleName: 'ORG_READ_ONLY' }, { groupId: PROJECT_A, roleName: 'GROUP_READ_ONLY' }], [
        '198.51.100.20',
      ]),
      // An app whose access list does not admit the worker's egress (127.0.0.1).
      key(KEYS.fenced, 'edge-proxy', [{ orgId: ORG, roleName: 'ORG_MEMBER' }], ['203.0.113.9']),
    ],
    serviceAccounts: [
      {
        clientId: ACCOUNTS.worker.clientId,
        clientSecret: ACCOUNTS.worker.secret,
        orgId: ORG,
        roles: ['ORG_OWNER'],
        secrets: [{ id: ACCOUNTS.worker.secretId, secret: ACCOUNTS.worker.secret, createdAt: iso(T0 - 30 * DAY), expiresAt: iso(T0 + 60 * DAY) }],
      },
      {
        clientId: ACCOUNTS.app.clientId,
        clientSecret: ACCOUNTS.app.secret,
        orgId: ORG,
        roles: ['ORG_MEMBER'],
        secrets: [{ id: ACCOUNTS.app.secretId, secret: ACCOUNTS.app.secret, createdAt: iso(T0 - 30 * DAY), expiresAt: iso(T0 + 60 * DAY) }],
      },
    ],
  };
}
