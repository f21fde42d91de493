// undici's Agent and its `request` from their own modules, not the package index: the index loads all of undici
// (fetch, WebSocket, caches, mocks) and would add 245 KiB to the Lambda bundle and to its cold start. undici is
// pinned to an exact version, and the integration suites send every request through these two.
import Agent from 'undici/lib/dispatcher/agent.js';
import dispatchRequest from 'undici/lib/api/api-request.js';
import type { TimeoutPolicy } from '../types.ts';

export interface TransportRequest {
  /** `http(s)://host[:port]` */
  readonly origin: string;
  readonly method: string;
  /** Path and query, already encoded. */
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
  readonly signal?: AbortSignal;
}

export interface TransportResponse {
  readonly status: number;
  /** Lower-cased names. */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** The whole body as text ('' when there is none). */
  readonly text: string;
}

export interface Transport {
  send(request: TransportRequest): Promise<TransportResponse>;
  close(): Promise<void>;
}

export interface TransportOptions {
  readonly timeouts: TimeoutPolicy;
  readonly connections: number;
}

/** Bodies here are JSON pages of at most 500 items; anything far larger is not an Atlas answer. */
const MAX_RESPONSE_BYTES = 32 * 1024 * 1024;

/**
 * HTTP over undici: an `Agent` keeps one keep-alive `Pool` per origin (the API and, for OAuth, possibly a
 * separate token origin), each capped at `connections` sockets. Every response body is read to the end so the
 * socket goes back to the pool.
 */
export function createTransport(options: TransportOptions): Transport {
  const agent = new Agent({
    connections: options.connections,
    connectTimeout: options.timeouts.connectMs,
    headersTimeout: options.timeouts.headersMs,
    bodyTimeout: options.timeouts.bodyMs,
    maxResponseSize: MAX_RESPONSE_BYTES,
  });

  return {
    async send(request) {
      const response = await dispatchRequest.call(agent, {
        origin: request.origin,
        method: request.method as 'GET',
        path: request.path,
        headers: request.headers,
        body: request.body ?? null,
        signal: request.signal ?? null,
      });
      // Read even error bodies fully: an unread body would pin the connection.
      const text = await response.body.text();
      return { status: response.statusCode, headers: response.headers, text };
    },
    async close() {
      await agent.close();
    },
  };
}
