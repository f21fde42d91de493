import { STATUS_CODES } from 'node:http';
import type { SimResponse } from './server-types.ts';

/**
 * An Atlas error response: `{detail, error, errorCode, parameters, reason}` (the spec's `ApiError`, fields in the
 * order live Atlas sends them) with the `X-Error-Code` header live Atlas adds. `parameters` is what the detail's
 * placeholders were filled with (e.g. the id that was not found), or `null`, as recorded from live Atlas.
 */
export function apiError(
  status: number,
  errorCode: string,
  detail: string,
  headers?: Record<string, string>,
  parameters: readonly string[] | null = null,
): SimResponse {
  const body = { detail, error: status, errorCode, parameters, reason: STATUS_CODES[status] ?? 'Error' };
  return { status, body, isError: true, headers: { ...headers, 'X-Error-Code': errorCode } };
}

/**
 * Atlas's 401 for a missing, wrong or expired credential, as recorded from live Atlas: `UNEXPECTED_ERROR`, no
 * `parameters`, pretty-printed, never wrapped by `envelope=true`.
 */
export function unauthorizedError(detail: string, headers: Record<string, string>): SimResponse {
  const body = { detail, error: 401, errorCode: 'UNEXPECTED_ERROR', reason: 'Unauthorized' };
  return { status: 401, body, isError: true, pretty: true, noEnvelope: true, headers: { ...headers, 'X-Error-Code': 'UNEXPECTED_ERROR' } };
}
