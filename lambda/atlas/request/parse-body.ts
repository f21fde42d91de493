import type * as z from 'zod';
import { AtlasMalformedResponseError } from '../errors.ts';
import type { TransportResponse } from '../transport/create-transport.ts';

/**
 * Parses a 2xx JSON body with `schema`. A body that is not JSON, or not the promised shape, is an
 * `AtlasMalformedResponseError` naming the bad fields (never quoting the body: it may hold masked keys).
 */
export function parseBody<T extends z.ZodType>(
  schema: T,
  response: TransportResponse,
  request: { method: string; path: string },
): z.output<T> {
  const details = { method: request.method, path: request.path, status: response.status };
  let json: unknown;
  try {
    json = JSON.parse(response.text);
  } catch (error) {
    throw new AtlasMalformedResponseError(
      `${request.method} ${request.path.split('?')[0]} answered ${response.status} with a body that is not JSON (${response.text.length} bytes)`,
      { ...details, cause: error },
    );
  }
  const result = schema.safeParse(json);
  if (!result.success) {
    const problems = result.error.issues
      .slice(0, 5)
      .map((issue) => `${issue.path.map(String).join('.') || '(root)'} ${issue.message}`)
      .join('; ');
    throw new AtlasMalformedResponseError(
      `${request.method} ${request.path.split('?')[0]} answered ${response.status} with an unexpected body: ${problems}`,
      details,
    );
  }
  return result.data;
}
