import { createHash } from 'node:crypto';

export interface DigestInput {
  readonly username: string;
  readonly password: string;
  readonly realm: string;
  readonly nonce: string;
  readonly method: string;
  /** The request-target exactly as sent (path and query). */
  readonly uri: string;
  /** 1-based request counter for this nonce. */
  readonly nc: number;
  readonly cnonce: string;
  readonly opaque?: string;
}

const md5 = (text: string) => createHash('md5').update(text, 'utf8').digest('hex');

/** `nc` as the 8 lower-case hex digits RFC 7616 §3.4 asks for. */
export function formatNonceCount(nc: number): string {
  return nc.toString(16).padStart(8, '0');
}

/** The `response` value for MD5 with `qop=auth` (RFC 7616 §3.4.1). */
export function digestResponse(input: DigestInput): string {
  const ha1 = md5(`${input.username}:${input.realm}:${input.password}`);
  const ha2 = md5(`${input.method}:${input.uri}`);
  return md5(`${ha1}:${input.nonce}:${formatNonceCount(input.nc)}:${input.cnonce}:auth:${ha2}`);
}

const quote = (value: string) => `"${value.replace(/(["\\])/g, '\\$1')}"`;

/** The full `Authorization` header value. */
export function digestAuthorization(input: DigestInput): string {
  const parts = [
    `username=${quote(input.username)}`,
    `realm=${quote(input.realm)}`,
    `nonce=${quote(input.nonce)}`,
    `uri=${quote(input.uri)}`,
    'algorithm=MD5',
    `response=${quote(digestResponse(input))}`,
    'qop=auth',
    `nc=${formatNonceCount(input.nc)}`,
    `cnonce=${quote(input.cnonce)}`,
  ];
  if (input.opaque !== undefined) parts.push(`opaque=${quote(input.opaque)}`);
  return `Digest ${parts.join(', ')}`;
}
