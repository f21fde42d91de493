import type { RequestLogEntry } from '../sim/types.ts';

/** What a sweep's requests were, from the simulator's log. */
export interface RequestBreakdown {
  /** Every HTTP request (Digest challenges and 429s included). */
  readonly total: number;
  readonly challenges401: number;
  readonly status429: number;
  /** Pages of the org's key listing. */
  readonly listingPages: number;
  /** Access-list reads (a key's read, and the fresh read before each prune). */
  readonly accessListReads: number;
  /** DELETEs: prunes, unassigns, key deletions. */
  readonly writes: number;
  readonly other: number;
}

const LISTING = /^\/api\/atlas\/v2\/orgs\/[a-f0-9]{24}\/apiKeys$/;
const ACCESS_LIST = /^\/api\/atlas\/v2\/orgs\/[a-f0-9]{24}\/apiKeys\/[a-f0-9]{24}\/accessList$/;

export function requestBreakdown(log: readonly RequestLogEntry[]): RequestBreakdown {
  const counts = { total: log.length, challenges401: 0, status429: 0, listingPages: 0, accessListReads: 0, writes: 0, other: 0 };
  for (const entry of log) {
    if (entry.status === 401) counts.challenges401 += 1;
    else if (entry.status === 429) counts.status429 += 1;
    else {
      const path = entry.url.split('?', 1)[0] ?? entry.url;
      if (entry.method === 'DELETE') counts.writes += 1;
      else if (entry.method === 'GET' && LISTING.test(path)) counts.listingPages += 1;
      else if (entry.method === 'GET' && ACCESS_LIST.test(path)) counts.accessListReads += 1;
      else counts.other += 1;
    }
  }
  return counts;
}
