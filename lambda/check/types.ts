import type { AtlasClient, CallOptions, Credentials, Flavor } from '../atlas/types.ts';
import type { ResolvedCredentials } from '../credentials/types.ts';
import type { ManagedOrg, Policy } from '../policy/schema.ts';

/** `warn`: works, but something deserves a look; never changes the exit status. */
export type CheckStatus = 'pass' | 'fail' | 'warn';

/** One verified precondition. Every `fail` carries a `fix`: one sentence saying what to change. */
export type CheckResult = {
  /** Absent for checks that are not about one org (the state table). */
  readonly orgId?: string;
  /** Stable name (see `CHECK_NAMES`), for scripts and tests. */
  readonly name: string;
  readonly status: CheckStatus;
  /** What was found; never a secret. */
  readonly detail: string;
  readonly fix?: string;
};

/** The answer of `check`: `ok` when no check failed. A type alias (not an interface) so that it is plain JSON. */
export type CheckReport = {
  readonly ok: boolean;
  /** ISO-8601, from the injected clock. */
  readonly checkedAt: string;
  readonly counts: { readonly pass: number; readonly fail: number; readonly warn: number };
  readonly checks: readonly CheckResult[];
};

/** What a client for one org is built from. */
export interface ClientTarget {
  /** Origin only. */
  readonly baseUrl: string;
  readonly flavor: Flavor;
  readonly credentials: Credentials;
}

/** `GET /orgs/{orgId}/settings` (Atlas v2, not in the trimmed spec): only the field the check reads. */
export interface OrgSettings {
  readonly apiAccessListRequired?: boolean;
}

/**
 * The part of the Atlas client the check uses. `getOrgSettings` and `getServiceAccount` are optional: the
 * check uses them when the client offers them (nothing to wire), and says what it could not verify otherwise.
 */
export type CheckAtlasClient = Pick<AtlasClient, 'getOrg' | 'listOrgKeys' | 'listAccessList' | 'listOrgProjects' | 'close'> & {
  getOrgSettings?(orgId: string, options?: CallOptions): Promise<OrgSettings>;
  /** A service account's org roles (`ORG_OWNER`, ...). */
  getServiceAccount?(orgId: string, clientId: string, options?: CallOptions): Promise<{ readonly roles: readonly string[] }>;
};

/** An unauthenticated GET of the API, to see whether the base URL answers like Atlas / Ops Manager. */
export interface ProbeRequest {
  /** Full URL (origin, API prefix and path). */
  readonly url: string;
  /** The media type the worker's client sends. */
  readonly accept: string;
  readonly signal?: AbortSignal;
}

export type ProbeAnswer =
  | {
      readonly kind: 'answer';
      readonly status: number;
      /** Lower-cased, parameters dropped (`text/html`). */
      readonly contentType?: string;
      readonly wwwAuthenticate?: string;
      readonly location?: string;
      /** `errorCode` of an Atlas-shaped JSON error body. */
      readonly errorCode?: string;
    }
  /** No HTTP answer: DNS, connection refused, TLS, timeout. `code` is the system or undici code. */
  | { readonly kind: 'unreachable'; readonly code: string };

/** The state backend as far as the check goes (`StateBackend` from `lambda/state/` fits). */
export interface StateProbe {
  describe(): string;
  ping(): Promise<void>;
}

export interface CheckStateTarget {
  readonly backend: StateProbe;
  /** False for the in-memory fallback (no `STATE_TABLE_NAME`). */
  readonly durable: boolean;
}

export interface CheckDeps {
  readonly policy: Policy;
  /** Names the policy in fix sentences, e.g. `KEY_POLICY` or `policy.json`. @default 'the policy' */
  readonly policySource?: string;
  /** The worker's credentials for one org (its own `secretId`, or the shared secret). May throw. */
  readonly credentialsFor: (org: ManagedOrg) => Promise<ResolvedCredentials>;
  /** Builds a client; `runCheck` closes it. */
  readonly createClient: (target: ClientTarget) => CheckAtlasClient;
  /** @default an unauthenticated `fetch` (see `probeApi`) */
  readonly probe?: (request: ProbeRequest) => Promise<ProbeAnswer>;
  /** Absent: in-memory state is in use. */
  readonly state?: CheckStateTarget;
  /** In-memory state is a `warn` where durable state is expected (a deployed worker), else a note. @default false */
  readonly expectDurableState?: boolean;
  /**
   * The deployed worker's egress IP (the stack's `EgressIps` output). When given, it must be on the key's access
   * list; the check otherwise can only vouch for the address it runs from.
   */
  readonly egressIp?: string;
  /** @default () => new Date() */
  readonly now?: () => Date;
  /** Epoch ms; every Atlas call and probe ends by then. */
  readonly deadline?: number;
}
