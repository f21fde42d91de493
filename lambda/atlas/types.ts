import type { AtlasWriteMethods } from './endpoints/write-types.ts';

/**
 * Shared contract of the Atlas client. Everything above this layer (planner, executor, handlers, CLI)
 * depends only on these types, never on the transport.
 */

/** `atlas`: `/api/atlas/v2` with versioned media types. `ops-manager`: `/api/public/v1.0`, `application/json`. */
export type Flavor = 'atlas' | 'ops-manager';

export type Credentials =
  | { readonly kind: 'digest'; readonly publicKey: string; readonly privateKey: string }
  | { readonly kind: 'oauth'; readonly clientId: string; readonly clientSecret: string };

export interface RoleAssignment {
  readonly orgId?: string;
  readonly groupId?: string;
  readonly roleName: string;
}

/** A programmatic API key as Atlas returns it. Unknown fields are kept. */
export interface ApiKey {
  readonly id: string;
  readonly publicKey: string;
  readonly desc?: string;
  readonly roles: readonly RoleAssignment[];
  readonly [field: string]: unknown;
}

/** One access-list entry of an API key. `lastUsed` is absent until a request came from that address. */
export interface AccessListEntry {
  readonly cidrBlock?: string;
  readonly ipAddress?: string;
  /** ISO-8601 */
  readonly created?: string;
  /** ISO-8601 */
  readonly lastUsed?: string;
  readonly lastUsedAddress?: string;
  readonly count?: number;
  readonly [field: string]: unknown;
}

export interface Organization {
  readonly id: string;
  readonly name: string;
  readonly [field: string]: unknown;
}

export interface Project {
  readonly id: string;
  readonly name: string;
  readonly orgId: string;
  readonly [field: string]: unknown;
}

/** One page of a paged listing. `pageNum` is 1-based. */
export interface Page<T> {
  readonly results: readonly T[];
  readonly pageNum: number;
  readonly itemsPerPage: number;
  /** Atlas calls this an estimate; absent when `includeCount=false`. */
  readonly totalCount?: number;
  readonly hasNext: boolean;
}

/**
 * A DELETE either removed the resource or found it already gone: only when Atlas said so in a documented way
 * (a 404 with a not-found code for what was addressed, or `400 API_KEY_NOT_FOUND`; see `isNotFound`). Any other
 * 404 throws an `AtlasApiError` saying the base URL or path may be wrong.
 */
export type DeleteOutcome = 'done' | 'already-absent';

/** What a call addressed, for telling Atlas's documented "not found" answers apart (`isNotFound`). */
export type NotFoundSubject = 'org-key' | 'project-assignment' | 'access-list-entry' | 'project';

export interface CallOptions {
  /** Absolute deadline (epoch ms). Retries and waits never go past it. */
  readonly deadline?: number;
  readonly signal?: AbortSignal;
  /**
   * Exempt from `PacingOptions.share` (a revocation of a leaked key must not wait for what others left over):
   * it may use the whole rate-limit bucket and waits only behind other urgent calls. @default false
   */
  readonly urgent?: boolean;
}

export interface ListOptions extends CallOptions {
  /** First page to fetch (1-based). @default 1 */
  readonly startPage?: number;
  /** @default 500 (the API's maximum) */
  readonly itemsPerPage?: number;
  /** Fetch at most this many pages (with `startPage`: one page of a listing). @default every page */
  readonly maxPages?: number;
}

export interface PageOptions extends CallOptions {
  /** @default 500 (the API's maximum) */
  readonly itemsPerPage?: number;
}

/** Telemetry the client reports; the caller turns these into metrics and logs. Never carries credentials. */
export type ClientEvent =
  | {
      readonly type: 'response';
      readonly method: string;
      readonly path: string;
      readonly status: number;
      readonly attempt: number;
      readonly durationMs: number;
    }
  | {
      readonly type: 'retry';
      readonly method: string;
      readonly path: string;
      readonly attempt: number;
      readonly delayMs: number;
      readonly reason: string;
    }
  | { readonly type: 'rate-limited'; readonly method: string; readonly path: string; readonly retryAfterMs?: number }
  | { readonly type: 'paced'; readonly bucket: string; readonly waitMs: number }
  | { readonly type: 'deprecation'; readonly path: string; readonly deprecation?: string; readonly sunset?: string }
  | { readonly type: 'auth'; readonly scheme: 'digest' | 'oauth'; readonly what: string };

export interface RetryPolicy {
  /** Total attempts including the first. @default 5 */
  readonly maxAttempts: number;
  /** @default 500 */
  readonly baseDelayMs: number;
  /** @default 30_000 */
  readonly maxDelayMs: number;
}

export interface TimeoutPolicy {
  /** @default 10_000 */
  readonly connectMs: number;
  /** @default 30_000 */
  readonly headersMs: number;
  /** @default 30_000 */
  readonly bodyMs: number;
}

export interface AtlasClientOptions {
  /** Origin only, e.g. `https://cloud.mongodb.com` or `https://om.example.internal:8443`. */
  readonly baseUrl: string;
  readonly flavor: Flavor;
  readonly credentials: Credentials;
  readonly retry?: Partial<RetryPolicy>;
  readonly timeouts?: Partial<TimeoutPolicy>;
  /** Client-side token-bucket pacing shaped like Atlas's limits. @default true */
  readonly pacing?: boolean | PacingOptions;
  /** Max concurrent connections per origin. @default 10 */
  readonly connections?: number;
  readonly onEvent?: (event: ClientEvent) => void;
  /** Injected for tests. @default Math.random */
  readonly random?: () => number;
  /**
   * Full URL of the OAuth token endpoint, when it is not `{baseUrl}/api/oauth/token` (e.g. the API is reached
   * through a proxy that does not serve the token endpoint).
   * @default `${baseUrl}/api/oauth/token`
   */
  readonly tokenUrl?: string;
  /** Clock (epoch ms) for token expiry, pacing and `Retry-After` dates; injected for tests. @default Date.now */
  readonly now?: () => number;
}

export interface PacingOptions {
  /** Org bucket capacity. @default 500 */
  readonly orgCapacity?: number;
  /** Org bucket refill per minute. @default 250 */
  readonly orgRefillPerMinute?: number;
  /** @default 1200 */
  readonly projectCapacity?: number;
  /** @default 500 */
  readonly projectRefillPerMinute?: number;
  /** Divide every refill period by this (tests and benchmarks against a time-scaled simulator). @default 1 */
  readonly timeScale?: number;
  /**
   * The part of each Atlas bucket this client may use, 0 < share ≤ 1: at most `share` of its refill rate (and of
   * its capacity in a burst), and never below `(1 - share) × capacity` as `RateLimit-Remaining` shows it (the
   * pacer's usual token of slack comes on top), so others using the same org or project keep the rest.
   * `CallOptions.urgent` calls are exempt. @default 1
   */
  readonly share?: number;
}

export interface AtlasClient extends AtlasWriteMethods {
  readonly flavor: Flavor;
  readonly baseUrl: string;
  listOrgKeys(orgId: string, options?: ListOptions): AsyncIterable<Page<ApiKey>>;
  listProjectKeys(groupId: string, options?: ListOptions): AsyncIterable<Page<ApiKey>>;
  listAccessList(orgId: string, apiUserId: string, options?: ListOptions): AsyncIterable<Page<AccessListEntry>>;
  removeKeyFromProject(groupId: string, apiUserId: string, options?: CallOptions): Promise<DeleteOutcome>;
  deleteOrgKey(orgId: string, apiUserId: string, options?: CallOptions): Promise<DeleteOutcome>;
  /** `entry` is an IPv4/IPv6 address or CIDR block; it is validated and normalised before use. */
  deleteAccessListEntry(
    orgId: string,
    apiUserId: string,
    entry: string,
    options?: CallOptions,
  ): Promise<DeleteOutcome>;
  getOrg(orgId: string, options?: CallOptions): Promise<Organization>;
  /**
   * One org API key by its id (one request, no paging). A key that does not exist throws an `AtlasApiError`
   * for which `isNotFound(error)` is true (Atlas answers `400 API_KEY_NOT_FOUND`, or a documented 404).
   */
  getOrgKey(orgId: string, apiUserId: string, options?: CallOptions): Promise<ApiKey>;
  /**
   * Page `pageNum` (1-based) of the org's key listing, alone: pages may be fetched concurrently, the first page's
   * `totalCount` telling how many there are. Atlas lists keys sorted by `publicKey`; nothing here checks that.
   */
  getOrgKeysPage(orgId: string, pageNum: number, options?: PageOptions): Promise<Page<ApiKey>>;
  /** One project (its `orgId` included). Unknown: `AtlasApiError` with `isNotFound(error, 'project')` true. */
  getProject(groupId: string, options?: CallOptions): Promise<Project>;
  listOrgProjects(orgId: string, options?: ListOptions): AsyncIterable<Page<Project>>;
  /** Close pooled connections. */
  close(): Promise<void>;
}
