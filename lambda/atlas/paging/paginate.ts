import type { PageRange } from '../inputs/validate-list-options.ts';
import type { Page } from '../types.ts';

export interface RawPage<T> {
  readonly results: readonly T[];
  readonly totalCount?: number | undefined;
  readonly links?: readonly { readonly rel?: string | undefined }[] | undefined;
}

/**
 * Pages as an async iterable, fetched one at a time as the consumer asks (memory stays flat; `break` stops
 * fetching). The last page is the one whose `links` has no `next`; without `links`, a short or empty page.
 * An empty page always ends the listing, whatever `links` says, so a confused server cannot loop us forever.
 * With `range.maxPages`, no more than that many pages are fetched (the last one's `hasNext` still tells).
 */
export async function* paginate<T>(
  fetchPage: (pageNum: number, itemsPerPage: number) => Promise<RawPage<T>>,
  range: PageRange,
): AsyncGenerator<Page<T>, void, undefined> {
  const lastPage = range.maxPages === undefined ? Number.POSITIVE_INFINITY : range.startPage + range.maxPages - 1;
  for (let pageNum = range.startPage; pageNum <= lastPage; pageNum += 1) {
    const raw = await fetchPage(pageNum, range.itemsPerPage);
    const hasNextLink = raw.links === undefined ? undefined : raw.links.some((link) => link.rel === 'next');
    const hasNext = raw.results.length > 0 && (hasNextLink ?? raw.results.length >= range.itemsPerPage);
    yield {
      results: raw.results,
      pageNum,
      itemsPerPage: range.itemsPerPage,
      ...(raw.totalCount === undefined ? {} : { totalCount: raw.totalCount }),
      hasNext,
    };
    if (!hasNext) return;
  }
}
