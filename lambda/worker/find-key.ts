import { isNotFound } from '../atlas/index.ts';
import type { ApiKey, AtlasClient, CallOptions, Page } from '../atlas/types.ts';
import { mapConcurrent } from './map-concurrent.ts';

/**
 * Keys per page when searching a listing, and pages read at once: every page the first one's count announces (a
 * 100,000-key org has 200), up to this many, since a revocation is exempt from the rate-limit share and the org
 * bucket holds 500 tokens.
 */
const SEARCH_PAGE_SIZE = 500;
const SEARCH_CONCURRENCY = 64;

/** One org key by id: a single GET, no paging. `undefined` only on a documented not-found answer. */
export async function getOrgKeyById(client: AtlasClient, orgId: string, apiUserId: string, call: CallOptions): Promise<ApiKey | undefined> {
  try {
    return await client.getOrgKey(orgId, apiUserId, call);
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

/**
 * One org key by public key. Reads the first page for `totalCount`, then the other pages at once; a listing that
 * changes while it is read can hide a key (deletions shift it onto a page already read), so "not found" is only
 * believed when a second full scan agrees.
 */
export async function findOrgKeyByPublicKey(
  client: AtlasClient,
  orgId: string,
  publicKey: string,
  call: CallOptions,
): Promise<ApiKey | undefined> {
  for (let scan = 0; scan < 2; scan += 1) {
    const found = await scanFor(client, orgId, publicKey, call);
    if (found !== undefined) return found;
  }
  return undefined;
}

async function scanFor(client: AtlasClient, orgId: string, publicKey: string, call: CallOptions): Promise<ApiKey | undefined> {
  const first = await fetchPage(client, orgId, 1, call);
  const inFirst = first.results.find((key) => key.publicKey === publicKey);
  if (inFirst !== undefined || !first.hasNext) return inFirst;
  // Without a count, read on page by page until the end.
  const estimated = first.totalCount === undefined ? undefined : Math.ceil(first.totalCount / SEARCH_PAGE_SIZE);
  let found: ApiKey | undefined;
  let next = 2;
  let more = true;
  while (found === undefined && more) {
    const upTo = estimated !== undefined && next <= estimated ? estimated : next;
    const numbers = Array.from({ length: upTo - next + 1 }, (_, i) => next + i);
    const pages = await mapConcurrent(numbers, SEARCH_CONCURRENCY, (pageNum) => fetchPage(client, orgId, pageNum, call));
    for (const page of pages) found ??= page.results.find((key) => key.publicKey === publicKey);
    const last = pages[pages.length - 1];
    // totalCount is an estimate: keep reading while the last page read says there is more.
    more = last?.hasNext === true;
    next = upTo + 1;
  }
  return found;
}

async function fetchPage(client: AtlasClient, orgId: string, pageNum: number, call: CallOptions): Promise<Page<ApiKey>> {
  for await (const page of client.listOrgKeys(orgId, { ...call, startPage: pageNum, itemsPerPage: SEARCH_PAGE_SIZE })) return page;
  return { results: [], pageNum, itemsPerPage: SEARCH_PAGE_SIZE, hasNext: false };
}

/** A key among those assigned to one project (the project's own listing). */
export async function findProjectKey(
  client: AtlasClient,
  groupId: string,
  apiUserId: string,
  call: CallOptions,
): Promise<ApiKey | undefined> {
  for await (const page of client.listProjectKeys(groupId, call)) {
    const key = page.results.find((k) => k.id === apiUserId);
    if (key) return key;
  }
  return undefined;
}
