import { mulberry32 } from './mulberry32.ts';
import type { SeedSpec, SimAccessListEntry, SimApiKey, SimRole, SimState, SimWorkerCredentials } from './types.ts';

const DAY_MS = 86_400_000;
const DESCRIPTIONS = [
  'ci-deploy',
  'terraform',
  'backup-job',
  'monitoring',
  'data-pipeline',
  'airflow',
  'grafana',
  'legacy-etl',
  'support-script',
  'dev-laptop',
  'analytics-export',
  'k8s-operator',
];
const PROJECT_SUFFIXES = ['prod', 'staging', 'dev', 'analytics', 'sandbox'];
const PROJECT_ROLES = ['GROUP_OWNER', 'GROUP_READ_ONLY', 'GROUP_DATA_ACCESS_READ_WRITE', 'GROUP_CLUSTER_MANAGER'];
/** Further roles live keys carry (never ORG_OWNER: only the worker's own key is an owner here). */
const EXTRA_ORG_ROLES = ['ORG_MEMBER', 'ORG_READ_ONLY', 'ORG_GROUP_CREATOR', 'ORG_BILLING_ADMIN', 'ORG_BILLING_READ_ONLY'];
const EXTRA_PROJECT_ROLES = [
  ...PROJECT_ROLES,
  'GROUP_DATA_ACCESS_ADMIN',
  'GROUP_DATA_ACCESS_READ_ONLY',
  'GROUP_SEARCH_INDEX_EDITOR',
  'GROUP_STREAM_PROCESSING_OWNER',
];
/** Mixed into the seed of the second PRNG stream (role shapes), so the first stream, and every state it made, stays as it was. */
const ROLE_STREAM = 0x5bd1e995;
const DOC_NETS = ['192.0.2', '198.51.100', '203.0.113'];
/** Description marker some teams use; the policy may read it. */
export const EXPIRY_MARKER = 'expires:2025-06-30';
/** Description of the worker's own key in every org. */
export const WORKER_KEY_DESC = 'atlas-key-worker';

type Usage = 'fresh' | 'idle' | 'stale' | 'no-access-list';

/**
 * Builds a deterministic state from `spec` (mulberry32): per org, its projects, the worker's Org Owner API key
 * (the org's first in `state.apiKeys`, access list `127.0.0.1` used an hour ago) and Org Owner service account, then
 * `keysPerOrg` keys that are fresh (used within 30 days), idle (last used 100–170 days ago), stale (entries
 * last used 200–400 days ago or never) or without an access list. Ages are relative to `spec.now`.
 *
 * Roles take the shapes recorded from live Atlas: besides one org role and up to two projects, a tenth of the
 * keys carry a second org role, a tenth (of those with a project) two roles on one project, and a share
 * `manyRolesFraction` 10–30 roles (several org roles, several roles per project). Those shapes come from a
 * second PRNG stream, so adding them left every other generated value as it was.
 */
export function generateState(spec: SeedSpec = {}): { state: SimState; workers: SimWorkerCredentials[] } {
  const orgCount = wholeNumber('orgs', spec.orgs ?? 1);
  const projectsPerOrg = wholeNumber('projectsPerOrg', spec.projectsPerOrg ?? 3);
  const keysPerOrg = wholeNumber('keysPerOrg', spec.keysPerOrg ?? 20);
  const [minEntries, maxEntries] = spec.entriesPerKey ?? [1, 3];
  wholeNumber('entriesPerKey[0]', minEntries);
  if (wholeNumber('entriesPerKey[1]', maxEntries) < minEntries) {
    throw new RangeError(`entriesPerKey must be [min, max] with min ≤ max (given [${minEntries}, ${maxEntries}])`);
  }
  const staleFraction = fraction('staleFraction', spec.staleFraction ?? 0.2);
  const noAccessListFraction = fraction('noAccessListFraction', spec.noAccessListFraction ?? 0.05);
  const manyRolesFraction = fraction('manyRolesFraction', spec.manyRolesFraction ?? 0.05);
  if (manyRolesFraction > 0.8) throw new RangeError(`manyRolesFraction must be at most 0.8 (given ${manyRolesFraction})`);
  const nowMs = (spec.now ?? new Date()).getTime();

  const random = mulberry32(spec.seed ?? 1);
  const roleRandom = mulberry32(((spec.seed ?? 1) ^ ROLE_STREAM) >>> 0);
  const between = (low: number, high: number) => low + random() * (high - low);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const randomHex = () => hex8(random() * 0x1_0000_0000);
  let counter = 0;
  // ObjectId-like: creation seconds, 4 random bytes, a counter (so ids never collide).
  const objectId = (ageDays: number) => {
    counter += 1;
    return hexText([(nowMs - ageDays * DAY_MS) / 1000, random() * 0x1_0000_0000, counter], '');
  };
  const usedPublicKeys = new Set<string>();
  const letter = () => 97 + Math.floor(random() * 26);
  const publicKey = () => {
    for (;;) {
      const text = String.fromCharCode(letter(), letter(), letter(), letter(), letter(), letter(), letter(), letter());
      if (!usedPublicKeys.has(text)) {
        usedPublicKeys.add(text);
        return text;
      }
    }
  };
  const privateKey = () =>
    hexText([random() * 0x1_0000_0000, random() * 0x1_0000_0000, random() * 0x1_0000_0000, random() * 0x1_0000_0000], '-');
  const ago = (days: number) => isoSeconds(nowMs - days * DAY_MS);

  const state: SimState = { orgs: [], projects: [], apiKeys: [], serviceAccounts: [] };
  const workers: SimWorkerCredentials[] = [];

  for (let orgAt = 0; orgAt < orgCount; orgAt += 1) {
    const org = { id: objectId(between(900, 1500)), name: `sim-org-${orgAt + 1}` };
    state.orgs.push(org);
    const projectIds: string[] = [];
    for (let projectAt = 0; projectAt < projectsPerOrg; projectAt += 1) {
      const ageDays = between(30, 900);
      const round = Math.floor(projectAt / PROJECT_SUFFIXES.length);
      const suffix = `${PROJECT_SUFFIXES[projectAt % PROJECT_SUFFIXES.length]}${round > 0 ? `-${round + 1}` : ''}`;
      const project = {
        id: objectId(ageDays),
        name: `${org.name}-${suffix}`,
        orgId: org.id,
        created: ago(ageDays),
        clusterCount: Math.floor(random() * 6),
      };
      state.projects.push(project);
      projectIds.push(project.id);
    }

    const worker: SimApiKey = {
      id: objectId(60),
      publicKey: publicKey(),
      privateKey: privateKey(),
      desc: WORKER_KEY_DESC,
      orgId: org.id,
      roles: [{ orgId: org.id, roleName: 'ORG_OWNER' }],
      accessList: [
        {
          cidrBlock: '127.0.0.1',
          ipAddress: '127.0.0.1',
          created: ago(60),
          lastUsed: ago(1 / 24),
          lastUsedAddress: '127.0.0.1',
          count: 1000,
        },
      ],
    };
    state.apiKeys.push(worker);
    const account = {
      clientId: `mdb_sa_id_${randomHex()}${randomHex()}${randomHex()}`,
      clientSecret: `mdb_sa_sk_${randomHex()}${randomHex()}${randomHex()}${randomHex()}`,
      orgId: org.id,
      roles: ['ORG_OWNER'],
    };
    state.serviceAccounts.push(account);
    workers.push({
      orgId: org.id,
      apiKeyId: worker.id,
      publicKey: worker.publicKey,
      privateKey: worker.privateKey,
      clientId: account.clientId,
      clientSecret: account.clientSecret,
    });

    for (let keyAt = 0; keyAt < keysPerOrg; keyAt += 1) {
      const draw = random();
      const usage: Usage =
        draw < noAccessListFraction
          ? 'no-access-list'
          : draw < noAccessListFraction + staleFraction
            ? 'stale'
            : draw < noAccessListFraction + staleFraction + 0.1
              ? 'idle'
              : 'fresh';
      const idleDays = between(100, 170);
      const createdDays =
        usage === 'stale' ? between(200, 400) : usage === 'idle' ? idleDays + between(5, 500) : between(30, 900);

      const roles: SimRole[] = [{ orgId: org.id, roleName: random() < 0.6 ? 'ORG_MEMBER' : 'ORG_READ_ONLY' }];
      const projectRoles = Math.min(projectIds.length, Math.floor(random() * 3));
      while (roles.length <= projectRoles) {
        const groupId = pick(projectIds);
        if (!roles.some((role) => role.groupId === groupId)) roles.push({ groupId, roleName: pick(PROJECT_ROLES) });
      }
      addRecordedRoleShapes(roles, org.id, projectIds, roleRandom, manyRolesFraction);

      const entryCount = usage === 'no-access-list' ? 0 : minEntries + Math.floor(random() * (maxEntries - minEntries + 1));
      const accessList: SimAccessListEntry[] = [];
      const created = ago(createdDays);
      for (let tries = 0; accessList.length < entryCount && tries < entryCount * 10; tries += 1) {
        const { cidrBlock, single, inside } = randomAddress(random);
        if (accessList.some((entry) => entry.cidrBlock === cidrBlock)) continue;
        const first = accessList.length === 0;
        // Days since last use, or undefined for never used. The first entry sets the key's newest use.
        let usedDays: number | undefined;
        if (usage === 'stale') usedDays = random() < 0.5 ? undefined : between(200, createdDays);
        else if (usage === 'idle') usedDays = first ? idleDays : random() < 0.5 ? undefined : between(idleDays, createdDays);
        else usedDays = first ? between(0, Math.min(30, createdDays)) : random() < 0.3 ? undefined : between(0, createdDays);
        const entry: SimAccessListEntry = { cidrBlock, created, count: 0 };
        if (single) entry.ipAddress = cidrBlock;
        if (usedDays !== undefined) {
          entry.lastUsed = ago(usedDays);
          entry.lastUsedAddress = inside;
          entry.count = 1 + Math.floor(random() * 5000);
        }
        accessList.push(entry);
      }

      const base = pick(DESCRIPTIONS);
      state.apiKeys.push({
        id: objectId(createdDays),
        publicKey: publicKey(),
        privateKey: privateKey(),
        desc: random() < 0.03 ? `${base} ${EXPIRY_MARKER}` : `${base}-${keyAt + 1}`,
        orgId: org.id,
        roles,
        accessList,
      });
    }
  }
  return { state, workers };
}

/**
 * Adds, from its own PRNG stream, the role shapes recorded from live Atlas: a second org role, a second role
 * on a project the key already has, or 10–30 roles (several org roles, several roles per project).
 */
function addRecordedRoleShapes(
  roles: SimRole[],
  orgId: string,
  projectIds: readonly string[],
  random: () => number,
  manyRolesFraction: number,
): void {
  const draw = random();
  const has = (candidate: SimRole) =>
    roles.some((role) => role.roleName === candidate.roleName && role.groupId === candidate.groupId && role.orgId === candidate.orgId);
  const add = (candidate: SimRole) => {
    if (!has(candidate)) roles.push(candidate);
  };
  const pickFrom = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  if (draw < manyRolesFraction) {
    const target = 10 + Math.floor(random() * 21);
    const room = EXTRA_ORG_ROLES.length + projectIds.length * EXTRA_PROJECT_ROLES.length;
    // Several org roles first, then roles on projects until the target (or every combination) is reached.
    for (let count = 2 + Math.floor(random() * 3); count > 0; count -= 1) add({ orgId, roleName: pickFrom(EXTRA_ORG_ROLES) });
    for (let tries = 0; roles.length < Math.min(target, room) && tries < 200; tries += 1) {
      add({ groupId: pickFrom(projectIds), roleName: pickFrom(EXTRA_PROJECT_ROLES) });
    }
  } else if (draw < manyRolesFraction + 0.1) {
    add({ orgId, roleName: pickFrom(EXTRA_ORG_ROLES) });
  } else if (draw < manyRolesFraction + 0.2) {
    const assigned = roles.find((role) => role.groupId !== undefined);
    if (assigned?.groupId !== undefined) {
      const others = EXTRA_PROJECT_ROLES.filter((name) => name !== assigned.roleName);
      add({ groupId: assigned.groupId, roleName: pickFrom(others) });
    }
  }
}

/** One address or block, normalised, with an address inside it for `lastUsedAddress`. */
function randomAddress(random: () => number): { cidrBlock: string; single: boolean; inside: string } {
  const kind = random();
  const net = DOC_NETS[Math.floor(random() * DOC_NETS.length)] as string;
  const byte = 1 + Math.floor(random() * 254);
  const group = (1 + Math.floor(random() * 0xfffe)).toString(16);
  const group2 = (1 + Math.floor(random() * 0xfffe)).toString(16);
  if (kind < 0.35) {
    const ip = `${net}.${byte}`;
    return { cidrBlock: ip, single: true, inside: ip };
  }
  if (kind < 0.5) {
    const ip = `10.${byte}.${1 + Math.floor(random() * 254)}.${1 + Math.floor(random() * 254)}`;
    return { cidrBlock: ip, single: true, inside: ip };
  }
  if (kind < 0.65) return { cidrBlock: `${net}.0/24`, single: false, inside: `${net}.${byte}` };
  if (kind < 0.75) {
    const start = 16 * Math.floor(random() * 16);
    return { cidrBlock: `${net}.${start}/28`, single: false, inside: `${net}.${start + 1 + (byte % 14)}` };
  }
  if (kind < 0.82) {
    const ip = `2001:db8::${group}`;
    return { cidrBlock: ip, single: true, inside: ip };
  }
  if (kind < 0.9) {
    const ip = `2001:db8:${group}::${group2}`;
    return { cidrBlock: ip, single: true, inside: ip };
  }
  if (kind < 0.93) return { cidrBlock: '2001:db8::/32', single: false, inside: `2001:db8::${group}` };
  return { cidrBlock: `2001:db8:${group}::/48`, single: false, inside: `2001:db8:${group}::${group2}` };
}

const HEX_CODES = [...'0123456789abcdef'].map((digit) => digit.charCodeAt(0));
const UUID_DASHES = new Set([8, 12, 16, 20]);

/**
 * Lowercase hex of unsigned 32-bit words as one flat string; with `dash`, in UUID layout. Built from char codes
 * because a concatenated string is a tree of pieces, and 100,000 keys' worth of those slows garbage collection.
 */
function hexText(words: readonly number[], dash: '' | '-'): string {
  const codes: number[] = [];
  let digits = 0;
  for (const word of words) {
    const value = Math.floor(word) >>> 0;
    for (let shift = 28; shift >= 0; shift -= 4) {
      if (dash !== '' && UUID_DASHES.has(digits)) codes.push(45);
      codes.push(HEX_CODES[(value >>> shift) & 15] as number);
      digits += 1;
    }
  }
  return String.fromCharCode(...codes);
}

/** 8 lowercase hex digits of an unsigned 32-bit value. */
function hex8(value: number): string {
  return (Math.floor(value) >>> 0).toString(16).padStart(8, '0');
}

const dayCodes = new Map<number, number[]>();

/** `2024-05-01T12:00:00Z` from epoch ms, as one flat string and without a Date per call (see `hexText`). */
function isoSeconds(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  const day = Math.floor(seconds / 86_400);
  let date = dayCodes.get(day);
  if (date === undefined) {
    date = [...new Date(day * DAY_MS).toISOString().slice(0, 11)].map((char) => char.charCodeAt(0));
    dayCodes.set(day, date);
  }
  const inDay = seconds - day * 86_400;
  const hour = Math.floor(inDay / 3600);
  const minute = Math.floor((inDay % 3600) / 60);
  const second = inDay % 60;
  const digit = (value: number) => 48 + value;
  return String.fromCharCode(
    ...date,
    digit(Math.floor(hour / 10)),
    digit(hour % 10),
    58,
    digit(Math.floor(minute / 10)),
    digit(minute % 10),
    58,
    digit(Math.floor(second / 10)),
    digit(second % 10),
    90,
  );
}

function wholeNumber(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`${name} must be a whole number ≥ 0 (given ${value})`);
  return value;
}

function fraction(name: string, value: number): number {
  if (!(value >= 0 && value <= 1)) throw new RangeError(`${name} must be between 0 and 1 inclusive (given ${value})`);
  return value;
}
