/**
 * Contract of the local Atlas simulator (a real HTTP server on 127.0.0.1). Tests, the quick start and the
 * benchmarks use only what is declared here.
 */

export interface SimAccessListEntry {
  /** Normalised: an IPv4/IPv6 address, or a CIDR block. */
  cidrBlock: string;
  /** Set when the entry is a single address (`/32` or `/128`). */
  ipAddress?: string;
  created: string;
  lastUsed?: string;
  lastUsedAddress?: string;
  count: number;
}

export interface SimRole {
  orgId?: string;
  groupId?: string;
  roleName: string;
}

export interface SimApiKey {
  id: string;
  publicKey: string;
  /** Plain text; never returned by list endpoints (they return it masked). */
  privateKey: string;
  /** `''` is left out of answers; `null` is answered as `"desc": null` (Atlas holds such keys). */
  desc: string | null;
  orgId: string;
  roles: SimRole[];
  accessList: SimAccessListEntry[];
}

export interface SimServiceAccount {
  clientId: string;
  clientSecret: string;
  orgId: string;
  /** Org-level role names, e.g. ORG_OWNER. */
  roles: string[];
  /**
   * The account's secrets with their expiry (Atlas allows two). Absent: `clientSecret` alone, never expiring; the
   * first secret created through the API turns that one into `secrets[0]`. When present, only these authenticate.
   */
  secrets?: SimServiceAccountSecret[];
}

export interface SimServiceAccountSecret {
  /** 24 hex digits. */
  id: string;
  /** Plain text; the API returns it only in the answer to the POST that created it. */
  secret: string;
  /** ISO-8601, seconds. */
  createdAt: string;
  /** ISO-8601, seconds. An expired secret no longer authenticates but still counts against the limit. */
  expiresAt: string;
  lastUsedAt?: string;
}

export interface SimProject {
  id: string;
  name: string;
  orgId: string;
  /** ISO-8601. @default the time in the id (an ObjectId) */
  created?: string;
  /** @default 0 */
  clusterCount?: number;
}

export interface SimOrg {
  id: string;
  name: string;
}

/** The whole mutable state. Tests may read and change it directly. */
export interface SimState {
  orgs: SimOrg[];
  projects: SimProject[];
  /** Listings do not follow this order: see `ListingOrder`. */
  apiKeys: SimApiKey[];
  serviceAccounts: SimServiceAccount[];
}

export interface SeedSpec {
  /** PRNG seed; the same spec always yields the same state. @default 1 */
  seed?: number;
  /** @default 1 */
  orgs?: number;
  /** @default 3 */
  projectsPerOrg?: number;
  /** Keys per org besides the worker's own. @default 20 */
  keysPerOrg?: number;
  /** Access-list entries per key, inclusive range. @default [1, 3] */
  entriesPerKey?: [number, number];
  /** Fraction of keys whose entries are all old (idle ≥ 200 days) or never used. @default 0.2 */
  staleFraction?: number;
  /** Fraction of keys with no access list at all. @default 0.05 */
  noAccessListFraction?: number;
  /**
   * Fraction of keys with 10–30 roles (several org roles, several roles on one project), as recorded from live
   * Atlas; besides, a tenth of the keys get a second org role and a tenth (of those with a project) two roles on
   * one project. At most 0.8.
   * @default 0.05
   */
  manyRolesFraction?: number;
  /** Reference "now" for generated ages. @default the real clock */
  now?: Date;
}

/** Credentials the seed creates for the worker: an Org Owner API key and an Org Owner service account per org. */
export interface SimWorkerCredentials {
  orgId: string;
  apiKeyId: string;
  publicKey: string;
  privateKey: string;
  clientId: string;
  clientSecret: string;
}

/**
 * Order of key listings (`GET /orgs/{orgId}/apiKeys`, `GET /groups/{groupId}/apiKeys`). `sorted`: by `publicKey`
 * in ordinal (UTF-16 code unit) order, as live Atlas lists them. `insertion`: the order of `state.apiKeys`.
 * `shuffled`: a fixed pseudo-random order (the same on every request, so paging stays consistent) that is
 * neither of the others. The last two break Atlas's order on purpose, to test a client's fallback.
 */
export type ListingOrder = 'sorted' | 'insertion' | 'shuffled';

export interface RateLimitOptions {
  /** @default 500 */
  orgCapacity?: number;
  /** @default 250 */
  orgRefillPerMinute?: number;
  /** @default 1200 */
  projectCapacity?: number;
  /** @default 500 */
  projectRefillPerMinute?: number;
  /** Refill this many times faster than real time. @default 1 */
  timeScale?: number;
  /**
   * Send `Ratelimit-Limit` / `Ratelimit-Remaining` (Atlas's capitalisation) on every answer of a metered route.
   * Without `rateLimit` at all, org and project API-key answers still carry them, as live Atlas's do, with
   * `Remaining` equal to the limit (nothing is counted then). @default true
   */
  headers?: boolean;
  /** Send Retry-After on 429. @default true */
  retryAfter?: boolean;
}

export type FaultKind =
  | {
      kind: 'status';
      status: number;
      errorCode?: string;
      retryAfterSeconds?: number;
      /** `parameters` of the Atlas error body. @default null */
      parameters?: readonly string[] | null;
      /**
       * A raw body instead of the Atlas error body (e.g. a proxy's HTML page); `''` for none. No `X-Error-Code`
       * header is sent with it.
       */
      body?: string;
      /** Content type of `body`. @default 'text/html;charset=utf-8' */
      contentType?: string;
    }
  /** Answers as usual, with these headers added, replacing any of the same name in any case (sent as given). */
  | { kind: 'headers'; headers: Readonly<Record<string, string>> }
  | { kind: 'reset' } // destroy the socket mid-response
  | { kind: 'hang' } // never answer
  | { kind: 'malformed' } // 200 with a truncated JSON body
  | { kind: 'latency'; ms: number };

export interface FaultRule {
  /** HTTP method to match, or any. */
  method?: string;
  /** Matched against the path (no query). A string matches as a substring. */
  path?: string | RegExp;
  /** Apply to this many matching requests, then stop. @default Infinity */
  times?: number;
  /** Skip this many matching requests first. @default 0 */
  after?: number;
  fault: FaultKind;
}

export interface SimulatorOptions {
  /** @default 0 (ephemeral) */
  port?: number;
  /** @default 'sorted' (as live Atlas); changeable later through `Simulator.listingOrder`. */
  listingOrder?: ListingOrder;
  /** Generated state, or a fixture. @default generate({}) */
  seed?: SeedSpec;
  fixture?: SimState;
  /** Off unless given. */
  rateLimit?: RateLimitOptions;
  /** Added to every response. @default 0 */
  latencyMs?: number;
  /** Digest nonce lifetime; an older nonce gets 401 with stale=true. @default 300_000 */
  nonceTtlMs?: number;
  /** OAuth access-token lifetime in seconds (expires_in). @default 3600 */
  tokenTtlSeconds?: number;
  /** The address requests appear to come from (for lastUsed and the caller's own entry). @default '127.0.0.1' */
  clientAddress?: string;
  /** Clock for timestamps. @default () => new Date() */
  now?: () => Date;
  /**
   * Sees every request as it arrives, headers included (tests collect the credentials a client sent, to check
   * that none of them leaks into its output). The request log itself never holds credentials.
   */
  onRequest?: (request: { method: string; url: string; headers: Readonly<Record<string, string | string[] | undefined>> }) => void;
}

export interface RequestLogEntry {
  method: string;
  /** Path with query. */
  url: string;
  status: number;
  /** 'digest' | 'bearer' | 'basic' | 'none' */
  auth: string;
  at: number;
}

export interface Simulator {
  /** `http://127.0.0.1:PORT` (origin only). */
  readonly baseUrl: string;
  readonly state: SimState;
  /** Credentials of the worker, one per org, in org order. */
  readonly workers: SimWorkerCredentials[];
  readonly requests: RequestLogEntry[];
  /** Order of key listings from now on (a test may switch it between two pages). */
  listingOrder: ListingOrder;
  /** Requests answered with a scripted fault so far. */
  readonly faultsInjected: number;
  /** Every OAuth access token issued so far (read-only; tests check that none leaks into output). */
  readonly issuedTokens: readonly string[];
  /** Add a scripted fault; returns a function that removes it. */
  addFault(rule: FaultRule): () => void;
  clearFaults(): void;
  close(): Promise<void>;
}
