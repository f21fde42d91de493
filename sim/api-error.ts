import { STATUS_CODES } from 'node:http';
import type { SimResponse } from './server-types.ts';

/** An Atlas error response: `{error, errorCode, reason, detail, parameters}` (the spec's `ApiError`). */
export function apiError(
  status: number,
  errorCode: string,
  detail: string,
  headers?: Record<string, string>,
): SimResponse {
  const body = { error: status, errorCode, reason: STATUS_CODES[status] ?? 'Error', detail, parameters: [] };
  return headers === undefined ? { status, body, isError: true } : { status, body, isError: true, headers };
}
