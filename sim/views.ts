import { tryParseIpRange } from './ip-range.ts';
import type { SimAccessListEntry, SimApiKey, SimOrg, SimProject } from './types.ts';

/** JSON views of state objects, shaped like the spec's schemas. `base` is the origin plus API prefix. */

interface Link {
  href: string;
  rel: string;
}

function self(href: string): Link[] {
  return [{ href, rel: 'self' }];
}

/**
 * `ApiKeyUserDetails`, private key masked as Atlas does in listings, fields in the order live Atlas sends them.
 * An empty description is left out; a `null` one is sent as `"desc": null`.
 */
export function renderApiKey(key: SimApiKey, base: string): Record<string, unknown> {
  return {
    ...(key.desc !== '' && { desc: key.desc }),
    id: key.id,
    links: self(`${base}/orgs/${key.orgId}/apiKeys/${key.id}`),
    privateKey: maskPrivateKey(key.privateKey),
    publicKey: key.publicKey,
    roles: key.roles.map((role) =>
      role.groupId !== undefined
        ? { groupId: role.groupId, roleName: role.roleName }
        : { orgId: role.orgId ?? key.orgId, roleName: role.roleName },
    ),
  };
}

/** `********-****-****-c4e26334754f`: only the last group shows. */
export function maskPrivateKey(privateKey: string): string {
  const tail = privateKey.slice(-12);
  return `********-****-****-${tail}`;
}

/**
 * `UserAccessListResponse` as live Atlas sends it: `cidrBlock` always with a mask (a single address as `/32` or
 * `/128`, beside `ipAddress`), IPv6 in eight groups, and `count` always, `0` for a never-used entry (the spec
 * says `count` ≥ 1; recorded traffic wins).
 */
export function renderAccessListEntry(key: SimApiKey, entry: SimAccessListEntry, base: string): Record<string, unknown> {
  const range = tryParseIpRange(entry.cidrBlock);
  const width = range?.family === 6 ? 128 : 32;
  const single = range !== undefined && range.prefix === width;
  const segment = range?.pathSegment ?? encodeURIComponent(entry.cidrBlock);
  return {
    cidrBlock: range === undefined ? entry.cidrBlock : `${range.wireAddress}/${range.prefix}`,
    count: entry.count,
    created: entry.created,
    ...(single && { ipAddress: range.wireAddress }),
    ...(entry.lastUsed !== undefined && { lastUsed: entry.lastUsed }),
    ...(entry.lastUsedAddress !== undefined && { lastUsedAddress: entry.lastUsedAddress }),
    links: self(`${base}/orgs/${key.orgId}/apiKeys/${key.id}/accessList/${segment}`),
  };
}

/** `AtlasOrganization`. */
export function renderOrg(org: SimOrg, base: string): Record<string, unknown> {
  return { id: org.id, name: org.name, isDeleted: false, links: self(`${base}/orgs/${org.id}`) };
}

/** `Group`; a missing `created` is read from the ObjectId's timestamp. */
export function renderProject(project: SimProject, base: string): Record<string, unknown> {
  return {
    id: project.id,
    name: project.name,
    orgId: project.orgId,
    clusterCount: project.clusterCount ?? 0,
    created: project.created ?? objectIdTime(project.id),
    links: self(`${base}/groups/${project.id}`),
  };
}

/** ISO time (seconds precision) from the first 4 bytes of a 24-hex ObjectId. */
export function objectIdTime(id: string): string {
  const seconds = Number.parseInt(id.slice(0, 8), 16);
  return isoSeconds(new Date((Number.isFinite(seconds) ? seconds : 0) * 1000));
}

/** `2024-05-01T12:00:00Z`: Atlas timestamps carry no milliseconds. */
export function isoSeconds(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}
