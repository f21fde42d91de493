import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export const DIGEST_REALM = 'MMS Public API';

export type DigestResult =
  | { ok: true; username: string }
  | { ok: false; stale: boolean; detail: string };

interface NonceRecord {
  issuedAt: number;
  /** Highest `nc` seen with this nonce. */
  lastNc: number;
  /** `nc` values seen within the replay window below `lastNc`. */
  seen: Set<number>;
}

/**
 * Concurrent requests of one client may arrive out of `nc` order, so a count is accepted once within a
 * window below the highest seen (like an anti-replay window); a repeated or too old count is a replay.
 */
const REPLAY_WINDOW = 64;

/**
 * Server side of HTTP Digest (RFC 7616, MD5, qop=auth) with server-issued, expiring, reusable nonces.
 *
 * Nonces live in a Map, which iterates in insertion order: issued in time order, the oldest is always first, so
 * each challenge sweeps expired nonces from the front and stops at the first live one. Every nonce is swept at
 * most once: O(1) amortised per challenge, however many nonces are live.
 */
export class DigestAuthenticator {
  readonly #nonces = new Map<string, NonceRecord>();
  readonly #ttlMs: number;
  readonly #nowMs: () => number;
  #examined = 0;

  constructor(ttlMs: number, nowMs: () => number) {
    this.#ttlMs = ttlMs;
    this.#nowMs = nowMs;
  }

  /** Nonce records the expiry sweeps have looked at so far (tests count work with it, not time). */
  get examined(): number {
    return this.#examined;
  }

  /** Nonces held now. */
  get size(): number {
    return this.#nonces.size;
  }

  /**
   * A `WWW-Authenticate` value with a fresh nonce, in standard base64 like live Atlas's (its `+` and `/` make
   * a client that re-encodes or unquotes it fail; the first two characters are pinned to them so every nonce
   * has both).
   */
  challenge(stale: boolean): string {
    const now = this.#nowMs();
    this.#forgetExpired(now);
    const nonce = `+/${randomBytes(30).toString('base64').slice(2)}`;
    this.#nonces.set(nonce, { issuedAt: now, lastNc: 0, seen: new Set() });
    return `Digest realm="${DIGEST_REALM}", domain="", nonce="${nonce}", algorithm=MD5, qop="auth", stale=${stale}`;
  }

  /** Checks an `Authorization: Digest ...` header; `secretFor` returns the password of a user name, if any. */
  verify(header: string, method: string, uri: string, secretFor: (username: string) => string | undefined): DigestResult {
    const fields = parseDigestFields(header);
    const { username, nonce, response, nc, cnonce, qop } = fields;
    const fail = (detail: string): DigestResult => ({ ok: false, stale: false, detail });
    if (!username || !nonce || !response || !fields['uri']) return fail('Malformed Digest authorization header.');
    if (fields['realm'] !== DIGEST_REALM) return fail('Digest realm does not match.');
    if (fields['uri'] !== uri) return fail('Digest uri does not match the request target.');
    if (fields['algorithm'] !== undefined && fields['algorithm'].toUpperCase() !== 'MD5') {
      return fail('Unsupported Digest algorithm.');
    }
    if (qop !== 'auth' || !nc || !cnonce || !/^[0-9a-f]{1,8}$/i.test(nc)) return fail('Digest requires qop=auth, nc and cnonce.');
    const secret = secretFor(username);
    if (secret === undefined) return fail('You are not authorized for this resource.');
    const ha1 = md5(`${username}:${DIGEST_REALM}:${secret}`);
    const ha2 = md5(`${method}:${uri}`);
    const expected = md5(`${ha1}:${nonce}:${nc}:${cnonce}:${qop}:${ha2}`);
    if (!sameText(expected, response.toLowerCase())) return fail('You are not authorized for this resource.');

    const record = this.#nonces.get(nonce);
    if (record === undefined || this.#nowMs() - record.issuedAt >= this.#ttlMs) {
      this.#nonces.delete(nonce);
      return { ok: false, stale: true, detail: 'The Digest nonce is unknown or expired.' };
    }
    const count = Number.parseInt(nc, 16);
    if (count <= record.lastNc - REPLAY_WINDOW || record.seen.has(count)) {
      return { ok: false, stale: true, detail: 'The Digest nonce count was replayed.' };
    }
    record.seen.add(count);
    if (count > record.lastNc) {
      record.lastNc = count;
      for (const old of record.seen) if (old <= count - REPLAY_WINDOW) record.seen.delete(old);
    }
    return { ok: true, username };
  }

  /** Drops expired nonces from the front (oldest first); stops at the first live one. */
  #forgetExpired(now: number): void {
    for (const [nonce, record] of this.#nonces) {
      this.#examined += 1;
      if (now - record.issuedAt < this.#ttlMs) return;
      this.#nonces.delete(nonce);
    }
  }
}

/** `Digest a="b", c=d` → `{a: 'b', c: 'd'}`. */
export function parseDigestFields(header: string): Record<string, string | undefined> {
  const fields: Record<string, string | undefined> = {};
  const text = header.replace(/^\s*Digest\s+/i, '');
  for (const match of text.matchAll(/([A-Za-z0-9_-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]*))/g)) {
    const name = (match[1] ?? '').toLowerCase();
    fields[name] = match[2] !== undefined ? match[2].replace(/\\(.)/g, '$1') : (match[3] ?? '');
  }
  return fields;
}

function md5(text: string): string {
  return createHash('md5').update(text).digest('hex');
}

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
