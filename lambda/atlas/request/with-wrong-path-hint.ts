import { AtlasApiError } from '../errors.ts';

/** Said of every 404 that is not a documented Atlas "not found" for what the call addressed. */
export const WRONG_PATH_HINT = 'not an Atlas "not found" for this resource: the base URL or path may be wrong';

/**
 * The same error with `WRONG_PATH_HINT` in its message (once): a 404 from a proxy, a wrong base URL or an
 * unexpected path must fail loudly, never pass for "already deleted".
 */
export function withWrongPathHint(error: AtlasApiError): AtlasApiError {
  if (error.message.includes(WRONG_PATH_HINT)) return error;
  return new AtlasApiError(
    `${error.message} (${WRONG_PATH_HINT})`,
    {
      method: error.method,
      path: error.path,
      attempts: error.attempts,
      ...(error.status === undefined ? {} : { status: error.status }),
      ...(error.errorCode === undefined ? {} : { errorCode: error.errorCode }),
      ...(error.reason === undefined ? {} : { reason: error.reason }),
      ...(error.detail === undefined ? {} : { detail: error.detail }),
      ...(error.retryAfterMs === undefined ? {} : { retryAfterMs: error.retryAfterMs }),
    },
    error.kind,
  );
}
