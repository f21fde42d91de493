import { describe, expect, it } from 'vitest';
import { paginate, type RawPage } from '../../lambda/atlas/paging/paginate.ts';

const collect = async <T>(iterable: AsyncIterable<T>) => {
  const items: T[] = [];
  for await (const item of iterable) items.push(item);
  return items;
};

describe('Function: paginate', () => {
  it('follows links until there is no next', async () => {
    const requested: number[] = [];
    const pages = await collect(
      paginate<number>(async (pageNum) => {
        requested.push(pageNum);
        return { results: [pageNum], totalCount: 3, links: pageNum < 3 ? [{ rel: 'self' }, { rel: 'next' }] : [{ rel: 'self' }] };
      }, { startPage: 1, itemsPerPage: 1 }),
    );
    expect(requested).toEqual([1, 2, 3]);
    expect(pages.map((page) => page.hasNext)).toEqual([true, true, false]);
    expect(pages[0]).toEqual({ results: [1], pageNum: 1, itemsPerPage: 1, totalCount: 3, hasNext: true });
  });

  it('without links, stops at a short page; starts at startPage', async () => {
    const requested: number[] = [];
    await collect(
      paginate<number>(async (pageNum) => {
        requested.push(pageNum);
        return { results: pageNum < 4 ? [1, 2] : [1] };
      }, { startPage: 2, itemsPerPage: 2 }),
    );
    expect(requested).toEqual([2, 3, 4]);
  });

  it('stops at an empty page even if links say next', async () => {
    const pages = await collect(paginate<number>(async () => ({ results: [], links: [{ rel: 'next' }] }), { startPage: 1, itemsPerPage: 5 }));
    expect(pages).toHaveLength(1);
    expect(pages[0]?.hasNext).toBe(false);
  });

  it('fetches nothing more after the consumer breaks', async () => {
    const requested: number[] = [];
    const source = paginate<number>(async (pageNum): Promise<RawPage<number>> => {
      requested.push(pageNum);
      return { results: [pageNum], links: [{ rel: 'next' }] };
    }, { startPage: 1, itemsPerPage: 1 });
    for await (const page of source) if (page.pageNum === 2) break;
    expect(requested).toEqual([1, 2]);
  });
});
