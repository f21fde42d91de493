/** A request for one unit of an org's write budget for the UTC day of `at`. */
export interface ReserveRequest {
  /** Atlas organization id. */
  readonly orgId: string;
  /** When the write is about to happen: selects the UTC day whose budget is charged. */
  readonly at: Date;
  /** The day's budget (the policy's `maxWritesPerOrgPerDay`); a unit is granted only while `used < limit`. */
  readonly limit: number;
  /** What the unit is for (e.g. `deleteOrgKey`, `pruneAccessListEntry`); counted per kind in the ledger. */
  readonly kind: string;
  /**
   * Explicit revocations: always granted and still counted, so the ledger records them. They may push `used`
   * past `limit`; non-mandatory reservations are then refused for the rest of the day.
   */
  readonly mandatory?: boolean;
}

/** `used` is the day's count after this call: including this unit when granted, unchanged when refused. */
export type Reservation =
  | { readonly granted: true; readonly used: number; readonly limit: number }
  | { readonly granted: false; readonly used: number; readonly limit: number };

/**
 * The durable write budget per org and UTC day. Reserve *before* each write: a crash after reserving can only
 * waste a unit, never exceed the budget. One atomic conditional increment per call.
 */
export interface WriteBudget {
  reserve(request: ReserveRequest): Promise<Reservation>;
  /** Units counted so far on the UTC day of `at` (0 when nothing was reserved). */
  usage(orgId: string, at: Date): Promise<number>;
}

/** What an incremental sweep remembers about one key after reading its access list (issue 14). */
export interface KeyState {
  readonly apiUserId: string;
  readonly publicKey: string;
  /** Digest of the key's description when it was read. */
  readonly descDigest: string;
  /** Digest of the key's roles when it was read. */
  readonly rolesDigest: string;
  /** Digest of the policy the next-due instant was computed under. */
  readonly policyDigest: string;
  /** Earliest epoch ms at which a rule could act on the key; `null`: no rule ever will from what was read. */
  readonly nextDueMs: number | null;
  /** Epoch ms of the last full read of the key's access list. */
  readonly lastFullReadMs: number;
}

/** Per-key next-due records of one org. Batched: callers pass a page of keys at a time. */
export interface KeyStateStore {
  /** The stored states of those keys that have one; unknown ids are simply absent from the map. */
  get(orgId: string, apiUserIds: readonly string[]): Promise<Map<string, KeyState>>;
  /** Creates or replaces; when an id appears twice, the last state wins. */
  put(orgId: string, states: readonly KeyState[]): Promise<void>;
  /** Removes; unknown ids are ignored. */
  delete(orgId: string, apiUserIds: readonly string[]): Promise<void>;
}

/** Everything the worker keeps between invocations. */
export interface StateBackend {
  readonly budget: WriteBudget;
  readonly keys: KeyStateStore;
  /** Human-readable: where the state lives (for start-up logs and the `check` command). */
  describe(): string;
  /** Cheap reachability check (the `check` command); rejects with a StateError when the state is unusable. */
  ping(): Promise<void>;
}

/** Back-off for the unprocessed part of a batch request (DynamoDB may accept only part of one). */
export interface BatchRetrySettings {
  /** Requests per chunk, the first included. @default 8 */
  readonly maxAttempts?: number;
  /** Full-jitter exponential back-off base. @default 50 */
  readonly baseDelayMs?: number;
  /** @default 2000 */
  readonly maxDelayMs?: number;
}
