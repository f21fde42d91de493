import { AtlasApiError } from '../errors.ts';
import { isNotFound } from '../is-not-found.ts';
import { type RequestContext, sendRequest } from '../request/send-request.ts';
import { withWrongPathHint } from '../request/with-wrong-path-hint.ts';
import type { CallOptions, DeleteOutcome, NotFoundSubject } from '../types.ts';

/**
 * A DELETE of `path` (validated, relative to the prefix). Already gone counts as reached, so retries and
 * overlapping runs are harmless, but only when Atlas says so in a documented way for `subject` (see
 * `isNotFound`): any other 404 (a proxy's page, a wrong base URL, `UNEXPECTED_ERROR`) fails, naming the base URL
 * or path as a likely cause, rather than report a deletion that never happened.
 */
export async function deleteResource(
  context: RequestContext,
  path: string,
  subject: NotFoundSubject,
  options: CallOptions | undefined,
): Promise<DeleteOutcome> {
  try {
    await sendRequest(context, { method: 'DELETE', path }, options);
    return 'done';
  } catch (error) {
    if (isNotFound(error, subject)) return 'already-absent';
    if (error instanceof AtlasApiError && error.kind === 'http' && error.status === 404) throw withWrongPathHint(error);
    throw error;
  }
}
