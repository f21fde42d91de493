/** The names of the checks, in the order they run for an org (the state check comes last, once). */
export const CHECK_NAMES = {
  baseUrl: 'base-url',
  api: 'api-version',
  credentials: 'credentials',
  org: 'org',
  roleDelete: 'role-delete-org-keys',
  roleUnassign: 'role-unassign',
  accessList: 'egress-access-list',
  protectedEntries: 'protected-entries',
  state: 'state',
} as const;

export type CheckName = (typeof CHECK_NAMES)[keyof typeof CHECK_NAMES];

export const ORG_OWNER = 'ORG_OWNER';
export const GROUP_OWNER = 'GROUP_OWNER';

/** Realm of Atlas's and Ops Manager's Digest challenge. */
export const DIGEST_REALM = 'MMS Public API';

/**
 * An access-list entry whose `lastUsed` is this close to now admitted the check's own calls: its
 * `lastUsedAddress` is the address the check runs from.
 */
export const RECENT_USE_MS = 15 * 60_000;

/** The probe gives up after this long (a base URL that does not answer within it is not usable either). */
export const PROBE_TIMEOUT_MS = 10_000;

/** At most this many ids are named in one detail. */
export const NAMED_IDS_LIMIT = 3;

/** Where an operator edits a key's roles and access list. */
export const ACCESS_MANAGER = 'Atlas UI → Organization → Access Manager';
