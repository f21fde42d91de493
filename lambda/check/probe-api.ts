import { USER_AGENT } from '../atlas/constants.ts';
import { PROBE_TIMEOUT_MS } from './constants.ts';
import type { ProbeAnswer, ProbeRequest } from './types.ts';

/** Enough of a body to read an Atlas error's `errorCode`; an HTML page is not read further. */
const MAX_BODY_BYTES = 16 * 1024;
const MEDIA_TYPE = /^[a-z0-9!#$&^_.+-]{1,40}\/[a-z0-9!#$&^_.+-]{1,80}$/;

/**
 * One GET without credentials, redirects not followed: Atlas and Ops Manager answer it with a 401 and a Digest
 * challenge, a wrong path with a 404, a web page with HTML, a version they do not serve with a 406. Nothing
 * secret is sent, so it is safe against any URL that passed the base-URL check.
 */
export async function probeApi(request: ProbeRequest): Promise<ProbeAnswer> {
  const timeout = AbortSignal.timeout(PROBE_TIMEOUT_MS);
  const signal = request.signal === undefined ? timeout : AbortSignal.any([timeout, request.signal]);
  let response: Response;
  try {
    response = await fetch(request.url, {
      method: 'GET',
      redirect: 'manual',
      headers: { accept: request.accept, 'user-agent': USER_AGENT },
      signal,
    });
  } catch (error) {
    return { kind: 'unreachable', code: codeOf(error) };
  }
  // Shown in the report: only a well-formed media type, never whatever text a hostile server sends.
  const mediaType = response.headers.get('content-type')?.split(';')[0]?.trim().toLowerCase();
  const contentType = mediaType !== undefined && MEDIA_TYPE.test(mediaType) ? mediaType : undefined;
  const wwwAuthenticate = response.headers.get('www-authenticate') ?? undefined;
  const location = response.headers.get('location') ?? undefined;
  const errorCode = await readErrorCode(response).catch(() => undefined);
  return {
    kind: 'answer',
    status: response.status,
    ...(contentType ? { contentType } : {}),
    ...(wwwAuthenticate === undefined ? {} : { wwwAuthenticate }),
    ...(location === undefined ? {} : { location }),
    ...(errorCode === undefined ? {} : { errorCode }),
  };
}

/** The `errorCode` of a JSON error body, reading at most `MAX_BODY_BYTES`; the rest is discarded. */
async function readErrorCode(response: Response): Promise<string | undefined> {
  const reader = response.body?.getReader();
  if (reader === undefined) return undefined;
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < MAX_BODY_BYTES) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    const code = (JSON.parse(text) as { errorCode?: unknown } | null)?.errorCode;
    return typeof code === 'string' && /^[A-Z0-9_]{1,80}$/.test(code) ? code : undefined;
  } catch {
    return undefined;
  }
}

/** The most specific code fetch's error carries (it nests the socket's error in `cause`). */
function codeOf(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown; name?: unknown } } | null)?.cause;
  const code = cause?.code ?? (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && code !== '') return code;
  const name = (error as { name?: unknown } | null)?.name;
  if (name === 'TimeoutError' || name === 'AbortError') return 'TIMEOUT';
  return typeof cause?.name === 'string' ? cause.name : 'NETWORK_ERROR';
}
