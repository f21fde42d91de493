import type * as z from 'zod';
import { AtlasApiError } from '../errors.ts';
import { isNotFound } from '../is-not-found.ts';
import { parseBody } from '../request/parse-body.ts';
import { type RequestContext, sendRequest } from '../request/send-request.ts';
import { withWrongPathHint } from '../request/with-wrong-path-hint.ts';
import type { CallOptions, NotFoundSubject } from '../types.ts';

/**
 * A GET of one object at `path` (validated, relative to the prefix), parsed with `schema`. With a `subject`, a
 * 404 that is not a documented "not found" for it carries the wrong-path hint (see `deleteResource`).
 */
export async function getResource<T extends z.ZodType>(
  context: RequestContext,
  path: string,
  schema: T,
  options: CallOptions | undefined,
  subject?: NotFoundSubject,
): Promise<z.output<T>> {
  try {
    const response = await sendRequest(context, { method: 'GET', path }, options);
    return parseBody(schema, response, { method: 'GET', path: context.prefix + path });
  } catch (error) {
    const strange = subject !== undefined && error instanceof AtlasApiError && error.kind === 'http' && error.status === 404;
    if (strange && !isNotFound(error, subject)) throw withWrongPathHint(error);
    throw error;
  }
}
