import { MAX_ITEMS_PER_PAGE } from '../atlas/constants.ts';
import type { ApiKey, AtlasClient, CallOptions, Page } from '../atlas/types.ts';

/** Where a listing stands: what the continuation cursor records. */
export interface ListingPosition {
  /** `sorted`: resume after `after` (a publicKey). `unsorted`: the listing was seen out of order; resume by page. */
  readonly order: 'sorted' | 'unsorted';
  /** The last publicKey handed out (sorted mode). */
  readonly after?: string;
  /** The page the listing was on: a hint in sorted mode, the resume point in unsorted mode. */
  readonly page: number;
}

export interface ListKeysOptions extends CallOptions {
  readonly pageSize: number;
  /** Resume from here; absent: from the start. */
  readonly from?: ListingPosition;
  /** Called once if a page is ever not sorted by publicKey (the listing then falls back to pages with overlap). */
  readonly onOrderBroken?: (page: number) => void;
  /** Called for every page request (telemetry, tests). */
  readonly onPage?: (page: Page<ApiKey>) => void;
}

/**
 * The org's keys in listing order, tolerant of keys inserted and deleted by anyone while it runs. Atlas lists an
 * org's keys sorted by `publicKey`, so the position is an anchor (the last key handed out), not an offset. Keys
 * are handed out only from a page that shows the anchor's neighbourhood in one read: a key at or before the
 * anchor followed by keys after it (or the first page, or the last page). One read is one consistent snapshot of
 * a sorted range, so no key present for the whole listing can hide between the anchor and the keys handed out,
 * whatever was inserted or deleted before it. The page size is chosen per read so that the anchor falls near the
 * start of the page (pages are `pageNum × itemsPerPage`, any size up to 500). A page out of order switches to
 * offset paging with one page of overlap, deduplicated by id. `positionAfter(key)` says where to resume.
 */
export class KeyListing implements AsyncIterable<ApiKey> {
  private anchor: string | undefined;
  /** Estimated 0-based index of the anchor key in the listing (-1: before the first key). */
  private index: number;
  /** The next page in unsorted (offset) mode. */
  private page: number;
  private order: 'sorted' | 'unsorted';
  private readonly seen = new Set<string>();
  /** The estimated index of each handed-out key, for `positionAfter`. */
  private readonly indexOf = new WeakMap<ApiKey, number>();

  constructor(
    private readonly client: AtlasClient,
    private readonly orgId: string,
    private readonly options: ListKeysOptions,
  ) {
    this.anchor = options.from?.after;
    this.page = Math.max(1, options.from?.page ?? 1);
    this.index = this.anchor === undefined ? -1 : (this.page - 1) * options.pageSize;
    this.order = options.from?.order ?? 'sorted';
  }

  /**
   * Where to resume so that everything after `key` (a key this listing handed out) is handed out again: after it
   * in sorted mode; in unsorted mode the page holding the key right after it (an offset), which the resumed
   * listing reads with the page before it (the overlap). From the key's own position, not the listing's: the key
   * may be from a window before the last one read (a chunk cut short by the deadline).
   */
  positionAfter(key: ApiKey): ListingPosition {
    const index = this.indexOf.get(key) ?? Math.max(0, this.index);
    if (this.order === 'unsorted') return { order: 'unsorted', page: Math.floor((index + 1) / this.options.pageSize) + 1 };
    return { order: 'sorted', after: key.publicKey, page: Math.floor(index / this.options.pageSize) + 1 };
  }

  async *[Symbol.asyncIterator](): AsyncIterator<ApiKey> {
    for (;;) {
      const window = this.order === 'sorted' ? await this.nextSortedWindow() : await this.nextOverlapWindow();
      if (window === undefined) continue; // the order broke: go on in unsorted mode
      for (const [i, key] of window.keys.entries()) {
        this.indexOf.set(key, window.firstIndex + i);
        if (this.order === 'sorted') {
          this.anchor = key.publicKey;
          this.index = window.firstIndex + i;
        }
        this.seen.add(key.id);
        yield key;
      }
      if (!window.hasNext) return;
    }
  }

  /** The keys after the anchor from one page read that shows what comes right after it; `undefined`: unsorted. */
  private async nextSortedWindow(): Promise<Window | undefined> {
    const anchor = this.anchor;
    // Edits by others move the anchor between reads. Each miss bounds the anchor's index (galloping, then
    // bisecting); a read that shows the anchor's neighbourhood ends the search.
    let low = -1;
    let high = Number.POSITIVE_INFINITY;
    let step = this.options.pageSize;
    for (let miss = 0; ; miss += 1) {
      if (miss === MAX_SEARCH_READS) {
        // The org changes faster than the anchor can be found: page with overlap from around here instead.
        this.order = 'unsorted';
        this.page = Math.max(1, Math.floor(Math.max(0, this.index) / this.options.pageSize));
        this.options.onOrderBroken?.(this.page);
        return undefined;
      }
      const { pageNum, size } = readAround(Math.max(this.index, -1), this.options.pageSize);
      const page = await this.fetch(pageNum, size);
      if (!this.checkOrder(page)) return undefined;
      const start = (pageNum - 1) * size;
      const keys = page.results;
      const after = anchor === undefined ? 0 : keys.findIndex((key) => key.publicKey > anchor);
      const full = keys.length === size;
      if (keys.length === 0 && start === 0) return { keys: [], hasNext: false, firstIndex: 0 };
      if (after === -1 && keys.length > 0 && (!full || !page.hasNext)) {
        // Everything read is at or before the anchor, and the listing ends on this page: nothing comes after it.
        return { keys: [], hasNext: false, firstIndex: start + keys.length };
      }
      if (keys.length === 0 || (after === 0 && start > 0) || after === -1) {
        // Past the end or past the anchor (it moved left, or the estimate was high), or all at or before it.
        const before = keys.length === 0 || after === 0;
        if (before) high = Math.min(high, start - 1);
        else low = Math.max(low, start + keys.length - 1);
        if (low > high) {
          // Others edited the org between reads: start the search again from what was just seen.
          high = before ? start - 1 : Number.POSITIVE_INFINITY;
          low = before ? -1 : start + keys.length - 1;
        }
        this.index = Number.isFinite(high) ? Math.floor((low + high + 1) / 2) : low + step;
        step *= 2;
        continue;
      }
      // A key at or before the anchor (or the first page), then the keys after it: one consistent range.
      return { keys: keys.slice(after), hasNext: page.hasNext && full, firstIndex: start + after };
    }
  }

  /** Fallback when the listing is not sorted: the page before (overlap) and the next page, deduplicated by id. */
  private async nextOverlapWindow(): Promise<Window> {
    const size = this.options.pageSize;
    const pageNum = this.page;
    const pages = pageNum > 1 ? [await this.fetch(pageNum - 1, size), await this.fetch(pageNum, size)] : [await this.fetch(pageNum, size)];
    const keys: ApiKey[] = [];
    for (const page of pages) for (const key of page.results) if (!this.seen.has(key.id)) keys.push(key);
    const last = pages[pages.length - 1] as Page<ApiKey>;
    this.page = pageNum + 1;
    return { keys, hasNext: last.hasNext, firstIndex: (pageNum - 1) * size };
  }

  /** True when the page is sorted by publicKey; otherwise switches (once) to the unsorted fallback. */
  private checkOrder(page: Page<ApiKey>): boolean {
    if (this.order === 'unsorted') return false;
    for (let i = 1; i < page.results.length; i += 1) {
      if ((page.results[i - 1] as ApiKey).publicKey >= (page.results[i] as ApiKey).publicKey) {
        this.order = 'unsorted';
        // Resume by pages from around where the sorted listing was, with overlap.
        this.page = Math.max(1, Math.floor(Math.max(0, this.index) / this.options.pageSize) + 1);
        this.options.onOrderBroken?.(page.pageNum);
        return false;
      }
    }
    return true;
  }

  private async fetch(pageNum: number, itemsPerPage: number): Promise<Page<ApiKey>> {
    const { pageSize: _size, from: _from, onOrderBroken: _o, onPage, ...call } = this.options;
    for await (const page of this.client.listOrgKeys(this.orgId, { ...call, startPage: pageNum, itemsPerPage })) {
      onPage?.(page);
      return page;
    }
    return { results: [], pageNum, itemsPerPage, hasNext: false };
  }
}

/** Reads spent looking for the anchor before giving up on it (bisection needs about log2 of the org's pages). */
const MAX_SEARCH_READS = 40;

/**
 * The page to read so that the key at `index` (the anchor; -1: none) is on it with as many keys after it as
 * possible: of the sizes from `max` down to half of it, the one that puts `index` nearest the start of a page.
 */
export function readAround(index: number, max: number): { pageNum: number; size: number } {
  if (index < 0) return { pageNum: 1, size: max };
  let best = { pageNum: 1, size: max, gain: -1 };
  for (let size = max; size >= Math.max(2, Math.ceil(max / 2)); size -= 1) {
    const gain = size - 1 - (index % size);
    if (gain > best.gain) best = { pageNum: Math.floor(index / size) + 1, size, gain };
    if (gain === size - 1) break;
  }
  if (best.gain > 0) return { pageNum: best.pageNum, size: best.size };
  // No size near `max` has a key after `index` on its page (small pages: e.g. max 1, or max 2 and an odd index).
  // A read with `index` last on its page never shows what follows the anchor, so the search would repeat it: the
  // next larger size that leaves room after it does.
  for (let size = Math.max(2, max + 1); size <= MAX_ITEMS_PER_PAGE; size += 1) {
    if (index % size < size - 1) return { pageNum: Math.floor(index / size) + 1, size };
  }
  return { pageNum: best.pageNum, size: best.size };
}

interface Window {
  readonly keys: readonly ApiKey[];
  readonly hasNext: boolean;
  /** The estimated listing index of the first key. */
  readonly firstIndex: number;
}
