import type { AccessListEntry, ApiKey } from '../atlas/types.ts';
import type { AccessListAddress } from '../validation/access-list-entry.ts';

/** One key with its whole access list, as the sweep read it. */
export interface KeyInventory {
  readonly key: ApiKey;
  readonly accessList: readonly AccessListEntry[];
}

/** What the planner sees of one organization (or one chunk of it, on a continued sweep). */
export interface Inventory {
  readonly orgId: string;
  readonly keys: readonly KeyInventory[];
  /** Public key of the credentials the worker runs with; that key is never touched. */
  readonly selfPublicKey?: string;
}

/** Timestamps and figures that justify an action; all that an auditor needs to check it. */
export interface Evidence {
  readonly publicKey: string;
  readonly desc?: string;
  /** Newest `lastUsed` over the key's (or the entry's) access list; ISO-8601. */
  readonly lastUsed?: string;
  /** `created` of the entry, or of the newest never-used entry; ISO-8601. */
  readonly created?: string;
  /** Whole days since the reference time (lastUsed or created). */
  readonly idleDays?: number;
  /** The limit (days) that was crossed. */
  readonly limitDays?: number;
  /** Expiry date found in the description (YYYY-MM-DD): `expiryPattern`'s capture, or the retirement tag's. */
  readonly expiresOn?: string;
}

interface ActionBase {
  readonly orgId: string;
  readonly apiUserId: string;
  /** Human-readable, one line. */
  readonly reason: string;
  readonly evidence: Evidence;
}

export type Action =
  | (ActionBase & { readonly kind: 'pruneAccessListEntry'; readonly entry: string })
  | (ActionBase & { readonly kind: 'unassignFromProject'; readonly groupId: string })
  | (ActionBase & { readonly kind: 'deleteOrgKey' });

export type ActionKind = Action['kind'];

/** Something the operator should know that leads to no write. */
export interface Finding {
  readonly orgId: string;
  readonly apiUserId: string;
  readonly kind: 'usage-unknown' | 'protected' | 'self' | 'protected-entry';
  readonly reason: string;
  readonly evidence: Evidence;
}

export interface Plan {
  readonly orgId: string;
  /**
   * Write actions in safe execution order. The write budget (`maxWritesPerOrgPerDay`) is not applied here: the
   * executor reserves it durably, one write at a time.
   */
  readonly actions: readonly Action[];
  readonly findings: readonly Finding[];
  readonly keysScanned: number;
  readonly entriesScanned: number;
}

// Planner internals: shared by the planner's helper files, not part of its contract.

/** What one entry's timestamps say. `known: false` (no usable timestamp) is never stale. */
export type EntryUsage =
  | { readonly known: false; readonly why: string }
  | {
      readonly known: true;
      /** The timestamp the age is measured from: `lastUsed`, or `created` for an entry never used. */
      readonly field: 'lastUsed' | 'created';
      readonly at: string;
      readonly atMs: number;
      readonly idleDays: number;
      /** `accessListIdleDays` or `neverUsedGraceDays`, after `field`. */
      readonly limitDays: number;
      /** When the entry becomes (or became) stale: `atMs` + `limitDays` days. */
      readonly staleAtMs: number;
      readonly stale: boolean;
    };

/** One access-list entry as the planner judged it. */
export interface EntryAssessment {
  /** Position in the key's access list (0-based), for messages. */
  readonly index: number;
  /** Absent when the entry has no valid `cidrBlock`/`ipAddress`, or the two disagree. */
  readonly address?: AccessListAddress;
  readonly usage: EntryUsage;
}

/** A key's last use over its whole access list. */
export type KeyUsage =
  | { readonly known: false; readonly why: string; readonly noEntries: boolean }
  | {
      readonly known: true;
      /** Newest `lastUsed ?? created` over the entries (epoch ms): the key's newest usage evidence. */
      readonly newestMs: number;
      readonly idleDays: number;
      /** Newest `lastUsed` over the entries, when any was used. */
      readonly lastUsed?: string;
      /** Newest `created` over the never-used entries, when there are any. */
      readonly created?: string;
    };
