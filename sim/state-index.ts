import type { ListingOrder, SimApiKey, SimOrg, SimProject, SimServiceAccount, SimState } from './types.ts';

/**
 * O(1) lookups over `SimState`. Tests may change the state's arrays directly, so each index is rebuilt when
 * its array was replaced or changed length; hits are checked against the looked-up field as well.
 */
export class StateIndex {
  readonly #state: SimState;
  #keysRef: SimApiKey[] | undefined;
  #keysLength = -1;
  #keyById = new Map<string, SimApiKey>();
  #keyByPublicKey = new Map<string, SimApiKey>();
  #keysByOrg = new Map<string, SimApiKey[]>();
  /** Per org and order other than insertion, the listing, built on first use and kept until a rebuild. */
  #listings = new Map<string, SimApiKey[]>();
  #orgs = new SmallIndex<SimOrg>((org) => org.id);
  #projects = new SmallIndex<SimProject>((project) => project.id);
  #accounts = new SmallIndex<SimServiceAccount>((account) => account.clientId);

  constructor(state: SimState) {
    this.#state = state;
  }

  keyById(id: string): SimApiKey | undefined {
    this.#refresh();
    const key = this.#keyById.get(id);
    if (key === undefined || key.id === id) return key;
    this.#rebuild();
    return this.#keyById.get(id);
  }

  keyByPublicKey(publicKey: string): SimApiKey | undefined {
    this.#refresh();
    const key = this.#keyByPublicKey.get(publicKey);
    if (key === undefined || key.publicKey === publicKey) return key;
    this.#rebuild();
    return this.#keyByPublicKey.get(publicKey);
  }

  /** The org's keys in `order` (see `ListingOrder`). Do not mutate. */
  keysOfOrg(orgId: string, order: ListingOrder = 'sorted'): readonly SimApiKey[] {
    this.#refresh();
    const inserted = this.#keysByOrg.get(orgId) ?? [];
    if (order === 'insertion') return inserted;
    const cacheKey = `${order}:${orgId}`;
    let listing = this.#listings.get(cacheKey);
    if (listing === undefined) {
      listing = order === 'sorted' ? [...inserted].sort(byPublicKey) : [...inserted].sort(byShuffleRank);
      this.#listings.set(cacheKey, listing);
    }
    return listing;
  }

  /** Adds a key to the state and the index without a full rebuild (kept in order by a binary search). */
  addKey(key: SimApiKey): void {
    this.#refresh();
    this.#state.apiKeys.push(key);
    this.#keysLength = this.#state.apiKeys.length;
    this.#keyById.set(key.id, key);
    this.#keyByPublicKey.set(key.publicKey, key);
    let orgKeys = this.#keysByOrg.get(key.orgId);
    if (orgKeys === undefined) {
      orgKeys = [];
      this.#keysByOrg.set(key.orgId, orgKeys);
    }
    orgKeys.push(key);
    insertSorted(this.#listings.get(`sorted:${key.orgId}`), key, byPublicKey);
    insertSorted(this.#listings.get(`shuffled:${key.orgId}`), key, byShuffleRank);
  }

  /** Removes a key from the state and the index without a full rebuild. */
  removeKey(key: SimApiKey): void {
    this.#refresh();
    removeItem(this.#state.apiKeys, key);
    this.#keysLength = this.#state.apiKeys.length;
    this.#keyById.delete(key.id);
    this.#keyByPublicKey.delete(key.publicKey);
    const orgKeys = this.#keysByOrg.get(key.orgId);
    if (orgKeys !== undefined) removeItem(orgKeys, key);
    for (const order of ['sorted', 'shuffled']) {
      const listing = this.#listings.get(`${order}:${key.orgId}`);
      if (listing !== undefined) removeItem(listing, key);
    }
  }

  org(id: string): SimOrg | undefined {
    return this.#orgs.get(this.#state.orgs, id);
  }

  project(id: string): SimProject | undefined {
    return this.#projects.get(this.#state.projects, id);
  }

  serviceAccount(clientId: string): SimServiceAccount | undefined {
    return this.#accounts.get(this.#state.serviceAccounts, clientId);
  }

  #refresh(): void {
    if (this.#state.apiKeys !== this.#keysRef || this.#state.apiKeys.length !== this.#keysLength) this.#rebuild();
  }

  #rebuild(): void {
    const keys = this.#state.apiKeys;
    this.#keysRef = keys;
    this.#keysLength = keys.length;
    this.#keyById = new Map();
    this.#keyByPublicKey = new Map();
    this.#keysByOrg = new Map();
    this.#listings = new Map();
    for (const key of keys) {
      this.#keyById.set(key.id, key);
      this.#keyByPublicKey.set(key.publicKey, key);
      let orgKeys = this.#keysByOrg.get(key.orgId);
      if (orgKeys === undefined) {
        orgKeys = [];
        this.#keysByOrg.set(key.orgId, orgKeys);
      }
      orgKeys.push(key);
    }
  }
}

/** A Map over a small array, rebuilt when the array was replaced or changed length. */
class SmallIndex<T> {
  readonly #idOf: (item: T) => string;
  #ref: T[] | undefined;
  #length = -1;
  #byId = new Map<string, T>();

  constructor(idOf: (item: T) => string) {
    this.#idOf = idOf;
  }

  get(items: T[], id: string): T | undefined {
    if (items !== this.#ref || items.length !== this.#length) this.#rebuild(items);
    const found = this.#byId.get(id);
    if (found === undefined || this.#idOf(found) === id) return found;
    this.#rebuild(items);
    return this.#byId.get(id);
  }

  #rebuild(items: T[]): void {
    this.#ref = items;
    this.#length = items.length;
    this.#byId = new Map(items.map((item) => [this.#idOf(item), item]));
  }
}

function removeItem<T>(items: T[], item: T): void {
  const at = items.indexOf(item);
  if (at >= 0) items.splice(at, 1);
}

/** Ordinal (UTF-16 code unit) order of `publicKey`, as `<` compares strings; ids break ties. */
function byPublicKey(a: SimApiKey, b: SimApiKey): number {
  if (a.publicKey !== b.publicKey) return a.publicKey < b.publicKey ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** A fixed pseudo-random order: by a hash of the id (FNV-1a), so it is neither sorted nor insertion order. */
function byShuffleRank(a: SimApiKey, b: SimApiKey): number {
  return shuffleRank(a.id) - shuffleRank(b.id) || byPublicKey(a, b);
}

function shuffleRank(id: string): number {
  let hash = 0x811c9dc5;
  for (let at = 0; at < id.length; at += 1) hash = Math.imul(hash ^ id.charCodeAt(at), 0x01000193);
  return hash >>> 0;
}

function insertSorted<T>(items: T[] | undefined, item: T, compare: (a: T, b: T) => number): void {
  if (items === undefined) return;
  let low = 0;
  let high = items.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (compare(items[middle] as T, item) <= 0) low = middle + 1;
    else high = middle;
  }
  items.splice(low, 0, item);
}
