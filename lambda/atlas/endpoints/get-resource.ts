import type * as z from 'zod';
import { parseBody } from '../request/parse-body.ts';
import { type RequestContext, sendRequest } from '../request/send-request.ts';
import type { CallOptions } from '../types.ts';

/** A GET of one object at `path` (validated, relative to the prefix), parsed with `schema`. */
export async function getResource<T extends z.ZodType>(
  context: RequestContext,
  path: string,
  schema: T,
  options: CallOptions | undefined,
): Promise<z.output<T>> {
  const response = await sendRequest(context, { method: 'GET', path }, options);
  return parseBody(schema, response, { method: 'GET', path: context.prefix + path });
}
