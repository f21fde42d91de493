import * as z from 'zod';
import { AtlasApiError, AtlasAuthError } from '../errors.ts';
import { parseRetryAfter } from '../retry/parse-retry-after.ts';
import type { TransportResponse } from '../transport/create-transport.ts';
import { WRONG_PATH_HINT } from './with-wrong-path-hint.ts';

const apiErrorSchema = z.looseObject({
  error: z.number().optional(),
  errorCode: z.string().optional(),
  reason: z.string().optional(),
  detail: z.string().optional(),
});

/**
 * An `AtlasApiError` (an `AtlasAuthError` for 401) from an error response's `{error, errorCode, reason, detail}`.
 * Only an Atlas error body (JSON whose `error` repeats the status; `parameters` may be anything, `null` too) sets
 * `errorCode`, `reason` and `detail`: a JSON body from something else in the way does not pass for Atlas. A 404
 * without one, or with `UNEXPECTED_ERROR`, says so in the message (see `WRONG_PATH_HINT`).
 */
export function errorFromResponse(
  response: TransportResponse,
  request: { method: string; path: string; attempts: number; now: number },
): AtlasApiError {
  let body: z.infer<typeof apiErrorSchema> = {};
  try {
    const parsed = apiErrorSchema.safeParse(JSON.parse(response.text));
    if (parsed.success && parsed.data.error === response.status) body = parsed.data;
  } catch {
    // Not JSON (a proxy's HTML page, an empty 503): the status alone must do.
  }
  const retryAfterMs = parseRetryAfter(response.headers['retry-after'], request.now);
  const details = {
    method: request.method,
    path: request.path,
    status: response.status,
    attempts: request.attempts,
    ...(body.errorCode === undefined ? {} : { errorCode: body.errorCode }),
    ...(body.reason === undefined ? {} : { reason: body.reason }),
    ...(body.detail === undefined ? {} : { detail: body.detail }),
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
  };
  const summary = [response.status, body.errorCode ?? (response.status === 404 ? '(no Atlas error body)' : undefined), body.detail]
    .filter((part) => part !== undefined)
    .join(' ');
  const wrongPath = response.status === 404 && (body.errorCode === undefined || body.errorCode === 'UNEXPECTED_ERROR');
  const message = `${request.method} ${stripQuery(request.path)} failed: ${summary}${wrongPath ? ` (${WRONG_PATH_HINT})` : ''}`;
  return response.status === 401 ? new AtlasAuthError(message, details) : new AtlasApiError(message, details);
}

function stripQuery(path: string): string {
  const index = path.indexOf('?');
  return index === -1 ? path : path.slice(0, index);
}
