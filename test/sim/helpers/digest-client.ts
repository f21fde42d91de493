import { createHash, randomBytes } from 'node:crypto';

export const ATLAS_ACCEPT = 'application/vnd.atlas.2023-01-01+json';

export function md5(text: string): string {
  return createHash('md5').update(text).digest('hex');
}

/** Fields of a `WWW-Authenticate: Digest ...` challenge. */
export function parseChallenge(header: string | null): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const match of (header ?? '').matchAll(/(\w+)=(?:"([^"]*)"|([^\s,]*))/g)) {
    fields[match[1] ?? ''] = match[2] ?? match[3] ?? '';
  }
  return fields;
}

/** An RFC 7616 `Authorization` value (MD5, qop=auth), computed by hand for the tests. */
export function digestHeader(input: {
  username: string;
  password: string;
  method: string;
  uri: string;
  nonce: string;
  nc: number;
  cnonce?: string;
  realm?: string;
}): string {
  const realm = input.realm ?? 'MMS Public API';
  const nc = input.nc.toString(16).padStart(8, '0');
  const cnonce = input.cnonce ?? randomBytes(8).toString('hex');
  const ha1 = md5(`${input.username}:${realm}:${input.password}`);
  const ha2 = md5(`${input.method}:${input.uri}`);
  const response = md5(`${ha1}:${input.nonce}:${nc}:${cnonce}:auth:${ha2}`);
  return (
    `Digest username="${input.username}", realm="${realm}", nonce="${input.nonce}", uri="${input.uri}", ` +
    `algorithm=MD5, qop=auth, nc=${nc}, cnonce="${cnonce}", response="${response}"`
  );
}

/** A minimal Digest client for tests: fetches a nonce once, then reuses it with an increasing nc. */
export class DigestClient {
  readonly #baseUrl: string;
  readonly #username: string;
  readonly #password: string;
  #nonce: string | undefined;
  #nc = 0;

  constructor(baseUrl: string, credentials: { publicKey: string; privateKey: string }) {
    this.#baseUrl = baseUrl;
    this.#username = credentials.publicKey;
    this.#password = credentials.privateKey;
  }

  async fetch(path: string, init: { method?: string; headers?: Record<string, string> } = {}): Promise<Response> {
    const method = init.method ?? 'GET';
    const headers = { Accept: path.startsWith('/api/atlas/') ? ATLAS_ACCEPT : 'application/json', ...init.headers };
    for (let attempt = 0; attempt < 3; attempt += 1) {
      if (this.#nonce === undefined) {
        const challenge = await fetch(this.#baseUrl + path, { method, headers });
        if (challenge.status !== 401) return challenge;
        await challenge.arrayBuffer();
        this.#take(challenge);
      }
      this.#nc += 1;
      const authorization = digestHeader({
        username: this.#username,
        password: this.#password,
        method,
        uri: path,
        nonce: this.#nonce ?? '',
        nc: this.#nc,
      });
      const response = await fetch(this.#baseUrl + path, { method, headers: { ...headers, Authorization: authorization } });
      const fields = parseChallenge(response.headers.get('www-authenticate'));
      if (response.status !== 401 || fields['stale'] !== 'true') return response;
      await response.arrayBuffer();
      this.#take(response);
    }
    throw new Error('Digest retries exhausted');
  }

  #take(response: Response): void {
    this.#nonce = parseChallenge(response.headers.get('www-authenticate'))['nonce'];
    this.#nc = 0;
  }
}
