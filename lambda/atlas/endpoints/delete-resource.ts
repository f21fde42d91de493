import { AtlasApiError } from '../errors.ts';
import { type RequestContext, sendRequest } from '../request/send-request.ts';
import type { CallOptions, DeleteOutcome } from '../types.ts';

/**
 * A DELETE of `path` (validated, relative to the prefix). Already gone counts as reached: 404 (including the
 * legacy access-list code) and `400 API_KEY_NOT_FOUND` resolve `'already-absent'`, so retries and overlapping
 * runs are harmless.
 */
export async function deleteResource(
  context: RequestContext,
  path: string,
  options: CallOptions | undefined,
): Promise<DeleteOutcome> {
  try {
    await sendRequest(context, { method: 'DELETE', path }, options);
    return 'done';
  } catch (error) {
    if (error instanceof AtlasApiError && error.kind === 'http' && isAlreadyAbsent(error)) return 'already-absent';
    throw error;
  }
}

function isAlreadyAbsent(error: AtlasApiError): boolean {
  return error.status === 404 || (error.status === 400 && error.errorCode === 'API_KEY_NOT_FOUND');
}
