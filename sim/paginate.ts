import { apiError } from './api-error.ts';
import type { SimResponse } from './server-types.ts';

export interface PageRequest {
  pageNum: number;
  itemsPerPage: number;
  includeCount: boolean;
}

const INTEGER = /^\d+$/;

/** Reads `pageNum`, `itemsPerPage`, `includeCount` with Atlas's defaults and ranges; a bad value is a 400. */
export function readPageRequest(query: URLSearchParams): PageRequest | SimResponse {
  const pageNum = readInteger(query, 'pageNum', 1, 1, Number.MAX_SAFE_INTEGER);
  if (typeof pageNum !== 'number') return pageNum;
  const itemsPerPage = readInteger(query, 'itemsPerPage', 100, 1, 500);
  if (typeof itemsPerPage !== 'number') return itemsPerPage;
  const includeCount = readBoolean(query, 'includeCount', true);
  if (typeof includeCount !== 'boolean') return includeCount;
  return { pageNum, itemsPerPage, includeCount };
}

/**
 * A paged body `{links, results, totalCount?}` over `items`, rendering only the page's slice. Links carry
 * `includeCount`, `pageNum` and `itemsPerPage`, in that order, as live Atlas's do.
 */
export function pageBody<T>(
  items: readonly T[],
  page: PageRequest,
  selfUrl: string,
  render: (item: T) => unknown,
): Record<string, unknown> {
  const start = (page.pageNum - 1) * page.itemsPerPage;
  const results = items.slice(start, start + page.itemsPerPage).map(render);
  const link = (pageNum: number, rel: string) => ({
    href: `${selfUrl}?includeCount=${page.includeCount}&pageNum=${pageNum}&itemsPerPage=${page.itemsPerPage}`,
    rel,
  });
  const links = [link(page.pageNum, 'self')];
  if (start + page.itemsPerPage < items.length) links.push(link(page.pageNum + 1, 'next'));
  if (page.pageNum > 1) links.push(link(page.pageNum - 1, 'previous'));
  return { links, results, ...(page.includeCount && { totalCount: items.length }) };
}

/** Reads a `true`/`false` query flag. */
export function readBoolean(query: URLSearchParams, name: string, fallback: boolean): boolean | SimResponse {
  const text = query.get(name);
  if (text === null) return fallback;
  if (text === 'true' || text === 'false') return text === 'true';
  return apiError(400, 'INVALID_QUERY_PARAMETER', `Invalid query parameter ${name}: must be true or false, given ${JSON.stringify(text)}.`);
}

function readInteger(query: URLSearchParams, name: string, fallback: number, min: number, max: number): number | SimResponse {
  const text = query.get(name);
  if (text === null) return fallback;
  const value = INTEGER.test(text) ? Number(text) : Number.NaN;
  if (Number.isSafeInteger(value) && value >= min && value <= max) return value;
  return apiError(
    400,
    'INVALID_QUERY_PARAMETER',
    `Invalid query parameter ${name}: must be an integer between ${min} and ${max} inclusive, given ${JSON.stringify(text)}.`,
  );
}
