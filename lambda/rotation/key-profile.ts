import type { AccessListEntry, ApiKey, AtlasClient, CallOptions } from '../atlas/types.ts';
import { parseAccessListEntry } from '../validation/access-list-entry.ts';
import { RotationStateError } from './errors.ts';

/** What a successor must share with its predecessor: org roles, projects with their roles, access list. */
export interface KeyProfile {
  /** Sorted. */
  readonly orgRoles: readonly string[];
  /** Project id → its roles (sorted), ids in sorted order. */
  readonly projects: ReadonlyMap<string, readonly string[]>;
  /** Normalised addresses and CIDR blocks, sorted. */
  readonly accessList: readonly string[];
}

/** The profile of `key` with its (whole) access list. */
export function profileOf(key: ApiKey, orgId: string, entries: readonly AccessListEntry[]): KeyProfile {
  const orgRoles = new Set<string>();
  const projects = new Map<string, Set<string>>();
  for (const role of key.roles) {
    if (role.groupId !== undefined) {
      const roles = projects.get(role.groupId) ?? new Set<string>();
      roles.add(role.roleName);
      projects.set(role.groupId, roles);
    } else if (role.orgId === undefined || role.orgId === orgId) {
      orgRoles.add(role.roleName);
    }
  }
  const accessList = new Set<string>();
  for (const [at, entry] of entries.entries()) {
    const text = entry.cidrBlock ?? entry.ipAddress;
    try {
      accessList.add(parseAccessListEntry(text, `accessList.${at}`).normalised);
    } catch (error) {
      throw new RotationStateError(`key ${key.id} has an access-list entry the worker cannot read (${(error as Error).message})`, { cause: error });
    }
  }
  return {
    orgRoles: [...orgRoles].sort(),
    projects: new Map([...projects.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([id, roles]) => [id, [...roles].sort()])),
    accessList: [...accessList].sort(),
  };
}

/** Reads `key`'s access list (every page) and returns its profile. */
export async function readKeyProfile(client: AtlasClient, orgId: string, key: ApiKey, call: CallOptions): Promise<KeyProfile> {
  const entries: AccessListEntry[] = [];
  for await (const page of client.listAccessList(orgId, key.id, call)) entries.push(...page.results);
  return profileOf(key, orgId, entries);
}

/** What separates `have` from `want`. */
export interface ProfileDifference {
  /** The org roles to set, when they differ. */
  readonly orgRoles?: readonly string[];
  /** Projects to assign (or re-assign) with exactly these roles. */
  readonly assign: ReadonlyArray<readonly [groupId: string, roles: readonly string[]]>;
  readonly unassign: readonly string[];
  readonly addEntries: readonly string[];
  readonly removeEntries: readonly string[];
}

export function profileDifference(want: KeyProfile, have: KeyProfile): ProfileDifference {
  const same = (a: readonly string[], b: readonly string[] | undefined) => b !== undefined && a.length === b.length && a.every((item, at) => item === b[at]);
  return {
    ...(same(want.orgRoles, have.orgRoles) ? {} : { orgRoles: want.orgRoles }),
    assign: [...want.projects.entries()].filter(([groupId, roles]) => !same(roles, have.projects.get(groupId))),
    unassign: [...have.projects.keys()].filter((groupId) => !want.projects.has(groupId)),
    addEntries: want.accessList.filter((entry) => !have.accessList.includes(entry)),
    removeEntries: have.accessList.filter((entry) => !want.accessList.includes(entry)),
  };
}

export function isSameProfile(difference: ProfileDifference): boolean {
  return (
    difference.orgRoles === undefined &&
    difference.assign.length === 0 &&
    difference.unassign.length === 0 &&
    difference.addEntries.length === 0 &&
    difference.removeEntries.length === 0
  );
}

/** One line: `org roles ORG_MEMBER; projects p1 (GROUP_OWNER), p2 (GROUP_READ_ONLY); access list 192.0.2.1, ...`. */
export function describeProfile(profile: KeyProfile): string {
  const projects = [...profile.projects.entries()].map(([id, roles]) => `${id} (${roles.join(', ')})`);
  return [
    `org roles ${profile.orgRoles.join(', ') || 'none'}`,
    `projects ${projects.join(', ') || 'none'}`,
    `access list ${profile.accessList.join(', ') || 'empty'}`,
  ].join('; ');
}
