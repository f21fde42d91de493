import { randomBytes } from 'node:crypto';

interface TokenRecord {
  clientId: string;
  expiresAtMs: number;
}

/** Issued OAuth access tokens: opaque random strings that expire. */
export class OAuthTokens {
  readonly #tokens = new Map<string, TokenRecord>();
  readonly #ttlSeconds: number;
  readonly #nowMs: () => number;
  readonly #issued: string[] = [];

  constructor(ttlSeconds: number, nowMs: () => number) {
    this.#ttlSeconds = ttlSeconds;
    this.#nowMs = nowMs;
  }

  get ttlSeconds(): number {
    return this.#ttlSeconds;
  }

  /** Every token issued so far, expired and revoked ones included (tests search logs for them). */
  get issued(): readonly string[] {
    return this.#issued;
  }

  issue(clientId: string): string {
    const token = randomBytes(32).toString('base64url');
    this.#issued.push(token);
    this.#tokens.set(token, { clientId, expiresAtMs: this.#nowMs() + this.#ttlSeconds * 1000 });
    return token;
  }

  /** The client a live token belongs to; `expired` for a known but expired token. */
  lookup(token: string): { clientId: string } | 'expired' | undefined {
    const record = this.#tokens.get(token);
    if (record === undefined) return undefined;
    if (this.#nowMs() >= record.expiresAtMs) {
      this.#tokens.delete(token);
      return 'expired';
    }
    return { clientId: record.clientId };
  }

  /** Revokes a token of this client; unknown tokens are ignored (RFC 7009). */
  revoke(token: string, clientId: string): void {
    if (this.#tokens.get(token)?.clientId === clientId) this.#tokens.delete(token);
  }
}
