import type { Page } from '../atlas/types.ts';

/** Drains a paged listing into one array (for small listings such as one key's access list). */
export async function collectPages<T>(pages: AsyncIterable<Page<T>>): Promise<T[]> {
  const items: T[] = [];
  for await (const page of pages) items.push(...page.results);
  return items;
}
