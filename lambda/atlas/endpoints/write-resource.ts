import type * as z from 'zod';
import { parseBody } from '../request/parse-body.ts';
import { type ApiRequest, type RequestContext, sendRequest } from '../request/send-request.ts';
import type { CallOptions } from '../types.ts';

/**
 * A POST or PATCH of `path` (validated, relative to the prefix) with a JSON body. With a `schema` the 2xx answer
 * is parsed with it; without one any 2xx (204 included) will do and its body is not read.
 */
export async function writeResource<T extends z.ZodType>(
  context: RequestContext,
  request: ApiRequest & { readonly method: 'POST' | 'PATCH' },
  schema: T,
  options: CallOptions | undefined,
): Promise<z.output<T>>;
export async function writeResource(
  context: RequestContext,
  request: ApiRequest & { readonly method: 'POST' | 'PATCH' },
  schema: undefined,
  options: CallOptions | undefined,
): Promise<void>;
export async function writeResource<T extends z.ZodType>(
  context: RequestContext,
  request: ApiRequest & { readonly method: 'POST' | 'PATCH' },
  schema: T | undefined,
  options: CallOptions | undefined,
): Promise<z.output<T> | undefined> {
  const response = await sendRequest(context, request, options);
  if (schema === undefined) return undefined;
  return parseBody(schema, response, { method: request.method, path: context.prefix + request.path });
}
