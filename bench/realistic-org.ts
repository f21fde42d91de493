import { generateState, WORKER_KEY_DESC } from '../sim/index.ts';
import { mulberry32 } from '../sim/mulberry32.ts';
import type { SimAccessListEntry, SimApiKey, SimState } from '../sim/types.ts';

const DAY_MS = 86_400_000;
/** The policy's defaults, which the benchmark runs with: entries idle 90 days (never used: 30) are stale. */
const IDLE_DAYS = 90;
const NEVER_USED_GRACE_DAYS = 30;
const DELETE_DAYS = 180;

/**
 * An org as the worker leaves it after months of daily sweeps, with most keys in daily use (issue 14's
 * "realistic use"): nothing is stale at `nowMs`, and every clock that will make something stale is spread evenly
 * up to its limit, so that each day about as much comes due as on any other.
 *
 * From the generator's state (2–5 entries per key, 5 % of keys without an access list), each key with entries is
 * re-dated:
 * - 85 % in daily use: the newest use 0–3 days ago; 12 % occasional: 3–90 days ago; 3 % dormant: 90–180 days ago,
 *   already unassigned from their projects and left with the one entry that holds their newest use.
 * - Every other entry: 70 % used, between the key's newest use and 90 days ago; 30 % never used, created
 *   0–30 days ago (older ones were pruned).
 */
export interface RealisticOrg {
  readonly state: SimState;
  readonly orgId: string;
  /** Keys by kind of use (the worker's own key not counted). */
  readonly kinds: Readonly<Record<'daily' | 'occasional' | 'dormant' | 'no-access-list', number>>;
}

export function realisticOrg(options: { readonly keys: number; readonly seed: number; readonly nowMs: number }): RealisticOrg {
  const { state } = generateState({
    seed: options.seed,
    orgs: 1,
    keysPerOrg: options.keys,
    entriesPerKey: [2, 5],
    staleFraction: 0,
    now: new Date(options.nowMs),
  });
  const org = state.orgs[0];
  if (org === undefined) throw new Error('the generator made no org');
  const random = mulberry32(options.seed ^ 0x5eed_da7a);
  const ago = (days: number) => iso(options.nowMs - days * DAY_MS);
  const kinds = { daily: 0, occasional: 0, dormant: 0, 'no-access-list': 0 };
  for (const key of state.apiKeys) {
    if (key.desc === WORKER_KEY_DESC) continue;
    const [first, ...others] = key.accessList;
    if (first === undefined) {
      kinds['no-access-list'] += 1;
      continue;
    }
    const draw = random();
    const kind = draw < 0.85 ? 'daily' : draw < 0.97 ? 'occasional' : 'dormant';
    kinds[kind] += 1;
    const newestDays =
      kind === 'daily' ? 3 * random() : kind === 'occasional' ? 3 + (IDLE_DAYS - 3.1) * random() : IDLE_DAYS + (DELETE_DAYS - IDLE_DAYS - 0.1) * random();
    markUsed(first, ago(newestDays));
    if (kind === 'dormant') {
      key.accessList = [first];
      key.roles = key.roles.filter((role) => role.groupId === undefined);
      continue;
    }
    for (const entry of others) {
      if (random() < 0.3) {
        markNeverUsed(entry, ago(NEVER_USED_GRACE_DAYS * 0.999 * random()));
      } else {
        markUsed(entry, ago(newestDays + (IDLE_DAYS * 0.999 - newestDays) * random()));
      }
    }
  }
  return { state, orgId: org.id, kinds };
}

export interface ChurnSummary {
  /** Keys with an entry used during the day (the listing does not show it). */
  readonly used: number;
  readonly created: number;
  readonly deleted: number;
  /** Keys whose description or roles changed (the listing shows it). */
  readonly described: number;
  readonly reroled: number;
  /** Keys that got a new access-list entry from someone else (the listing does not show it). */
  readonly entriesAdded: number;
}

/**
 * One day in the org's life between `fromMs` and `toMs`, the same for the same state and seed: 70 % of the keys
 * with entries used again (their newest entry; 5 % also another one), 20 keys created, 10 deleted, 10 described
 * anew, 10 whose project roles changed, 10 given a new entry. The worker's key and `spare` keys are left alone.
 */
export function dailyChurn(
  state: SimState,
  orgId: string,
  window: { readonly fromMs: number; readonly toMs: number; readonly seed: number; readonly spare?: ReadonlySet<string> },
): ChurnSummary {
  const random = mulberry32(window.seed);
  const at = () => iso(window.fromMs + random() * (window.toMs - window.fromMs));
  const pickFrom = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const keys = state.apiKeys.filter((key) => key.orgId === orgId && key.desc !== WORKER_KEY_DESC && !window.spare?.has(key.id));
  const projects = state.projects.filter((project) => project.orgId === orgId).map((project) => project.id);

  let used = 0;
  for (const key of keys) {
    if (key.accessList.length === 0) continue;
    if (random() < 0.7) {
      markUsed(newestEntry(key.accessList), at());
      used += 1;
    }
    if (random() < 0.05) markUsed(pickFrom(key.accessList), at());
  }
  const distinct = (count: number): SimApiKey[] => {
    const chosen = new Set<SimApiKey>();
    while (chosen.size < Math.min(count, keys.length)) chosen.add(pickFrom(keys));
    return [...chosen];
  };
  const [described, reroled, entriesAdded, deleted] = [distinct(10), distinct(10), distinct(10), distinct(10)];
  for (const key of described) key.desc = `${key.desc ?? ''} (owner: platform team)`;
  for (const key of reroled) {
    const groupId = pickFrom(projects);
    const held = key.roles.findIndex((role) => role.groupId === groupId);
    if (held >= 0) key.roles.splice(held, 1);
    else key.roles.push({ groupId, roleName: 'GROUP_READ_ONLY' });
  }
  for (const key of entriesAdded) {
    const address = `198.18.${Math.floor(random() * 256)}.${1 + Math.floor(random() * 254)}`;
    if (!key.accessList.some((entry) => entry.cidrBlock === address)) key.accessList.push({ cidrBlock: address, ipAddress: address, created: at(), count: 0 });
  }
  const gone = new Set(deleted);
  state.apiKeys = state.apiKeys.filter((key) => !gone.has(key));
  const publicKeys = new Set(state.apiKeys.map((key) => key.publicKey));
  const created = 20;
  for (let index = 0; index < created; index += 1) {
    let publicKey: string;
    do publicKey = Array.from({ length: 8 }, () => String.fromCharCode(97 + Math.floor(random() * 26))).join('');
    while (publicKeys.has(publicKey));
    publicKeys.add(publicKey);
    const address = `198.19.${Math.floor(random() * 256)}.${1 + Math.floor(random() * 254)}`;
    state.apiKeys.push({
      id: objectId(window.toMs, random),
      publicKey,
      privateKey: '00000000-0000-0000-0000-000000000000',
      desc: `new-service-${index + 1}`,
      orgId,
      roles: [{ orgId, roleName: 'ORG_MEMBER' }],
      accessList: [{ cidrBlock: address, ipAddress: address, created: at(), count: 0 }],
    });
  }
  return { used, created, deleted: deleted.length, described: described.length, reroled: reroled.length, entriesAdded: entriesAdded.length };
}

/**
 * Adds a second client's key to the org (a Terraform-like reader: Org Read Only, its access list 127.0.0.1, in
 * daily use) and returns its credentials. Local toy credentials.
 */
export function addReaderKey(state: SimState, orgId: string, nowMs: number): { id: string; publicKey: string; privateKey: string } {
  const random = mulberry32(0x7e77af0);
  const publicKeys = new Set(state.apiKeys.map((key) => key.publicKey));
  let publicKey = 'terrafrm';
  while (publicKeys.has(publicKey)) publicKey = `t${Math.floor(random() * 1e7)}`;
  const key: SimApiKey = {
    id: objectId(nowMs, random),
    publicKey,
    privateKey: '11111111-2222-3333-4444-555555555555',
    desc: 'terraform-reader',
    orgId,
    roles: [{ orgId, roleName: 'ORG_READ_ONLY' }],
    accessList: [{ cidrBlock: '127.0.0.1', ipAddress: '127.0.0.1', created: iso(nowMs - 30 * DAY_MS), lastUsed: iso(nowMs), lastUsedAddress: '127.0.0.1', count: 1 }],
  };
  state.apiKeys.push(key);
  return { id: key.id, publicKey: key.publicKey, privateKey: key.privateKey };
}

function newestEntry(entries: readonly SimAccessListEntry[]): SimAccessListEntry {
  let newest = entries[0] as SimAccessListEntry;
  for (const entry of entries) if (evidenceMs(entry) > evidenceMs(newest)) newest = entry;
  return newest;
}

const evidenceMs = (entry: SimAccessListEntry) => Date.parse(entry.lastUsed ?? entry.created);

function markUsed(entry: SimAccessListEntry, lastUsed: string): void {
  entry.lastUsed = lastUsed;
  entry.lastUsedAddress ??= entry.ipAddress ?? entry.cidrBlock.replace(/\/\d+$/, '').replace(/(\.0|::)$/, (end) => (end === '.0' ? '.1' : '::1'));
  entry.count = Math.max(1, entry.count) + 1;
  if (Date.parse(entry.created) > Date.parse(lastUsed)) entry.created = lastUsed;
}

function markNeverUsed(entry: SimAccessListEntry, created: string): void {
  delete entry.lastUsed;
  delete entry.lastUsedAddress;
  entry.count = 0;
  entry.created = created;
}

/** ISO-8601 to the second, as Atlas writes it. */
function iso(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/** ObjectId-like: creation seconds and 8 random bytes. */
function objectId(ms: number, random: () => number): string {
  const word = () => Math.floor(random() * 0x1_0000_0000).toString(16).padStart(8, '0');
  return Math.floor(ms / 1000).toString(16).padStart(8, '0') + word() + word();
}
