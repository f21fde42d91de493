import { request } from 'node:http';

export interface RawResponse {
  readonly status: number;
  /** Header names exactly as the server wrote them, with their values. */
  readonly rawHeaders: readonly [string, string][];
  /** The value of a header, found by its exact (case-sensitive) name. */
  readonly exact: (name: string) => string | undefined;
  readonly text: string;
}

/**
 * One HTTP request through `node:http`, which (unlike `fetch`) keeps the header names as the server wrote them:
 * the fidelity suite checks Atlas's own capitalisation (`Ratelimit-Limit`).
 */
export function rawRequest(url: string, init: { method?: string; headers?: Record<string, string> } = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const outgoing = request(url, { method: init.method ?? 'GET', headers: init.headers ?? {} }, (incoming) => {
      const chunks: Buffer[] = [];
      incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
      incoming.on('error', reject);
      incoming.on('end', () => {
        const pairs: [string, string][] = [];
        for (let at = 0; at + 1 < incoming.rawHeaders.length; at += 2) {
          pairs.push([incoming.rawHeaders[at] ?? '', incoming.rawHeaders[at + 1] ?? '']);
        }
        resolve({
          status: incoming.statusCode ?? 0,
          rawHeaders: pairs,
          exact: (name) => pairs.find(([candidate]) => candidate === name)?.[1],
          text: Buffer.concat(chunks).toString('utf8'),
        });
      });
    });
    outgoing.on('error', reject);
    outgoing.end();
  });
}
