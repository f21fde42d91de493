import type * as z from 'zod';
import type { PageRange } from '../inputs/validate-list-options.ts';
import { paginate } from '../paging/paginate.ts';
import { parseBody } from '../request/parse-body.ts';
import { type RequestContext, sendRequest } from '../request/send-request.ts';
import { pagedSchema } from '../schemas.ts';
import type { CallOptions, Page } from '../types.ts';

/** A paged GET of `path` (validated, relative to the prefix) as an async iterable of parsed pages. */
export function listResource<T extends z.ZodType, Item>(
  context: RequestContext,
  path: string,
  item: T,
  range: PageRange,
  options: CallOptions | undefined,
): AsyncIterable<Page<Item>> {
  const schema = pagedSchema(item);
  return paginate<Item>(async (pageNum, itemsPerPage) => {
    const pagePath = `${path}?pageNum=${pageNum}&itemsPerPage=${itemsPerPage}`;
    const response = await sendRequest(context, { method: 'GET', path: pagePath }, options);
    // zod has checked the fields the worker relies on; the declared item type adds nothing it did not check.
    const body = parseBody(schema, response, { method: 'GET', path: context.prefix + pagePath });
    return body as unknown as { results: Item[]; totalCount?: number; links?: { rel?: string }[] };
  }, range);
}
