import type { SimApiKey, SimServiceAccount } from './types.ts';

/** Internal types of the simulator's server (not part of the public contract in `types.ts`). */

export type Flavor = 'atlas' | 'ops-manager';

/** A response before it is written: handlers return data, the server writes it. */
export interface SimResponse {
  status: number;
  headers?: Record<string, string>;
  /** JSON-serialisable body; absent for an empty body. */
  body?: unknown;
  /** Sent as is instead of `body` (a scripted non-Atlas answer); `''` for none. */
  rawBody?: string;
  /** True for an error body (`application/json` even on Atlas, as the spec declares). */
  isError?: boolean;
  /** Not wrapped by `envelope=true` (Digest challenges, OAuth endpoints). */
  noEnvelope?: boolean;
  /** Always pretty-printed, whatever `pretty` says (Atlas's 401 bodies are). */
  pretty?: boolean;
}

export type Caller =
  | { readonly kind: 'apiKey'; readonly id: string; readonly key: SimApiKey }
  | { readonly kind: 'serviceAccount'; readonly id: string; readonly account: SimServiceAccount };
