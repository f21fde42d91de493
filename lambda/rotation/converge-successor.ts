import type { ApiKey, AtlasClient, CallOptions } from '../atlas/types.ts';
import { isSameProfile, type KeyProfile, profileDifference, readKeyProfile } from './key-profile.ts';

/** Entries per access-list POST (the service-account endpoint's documented maximum; a safe batch for keys). */
const ENTRIES_PER_REQUEST = 200;

/**
 * Makes the successor's org roles, projects and access list equal `want` (its predecessor's), changing only what
 * differs, so a retry after any crash repeats nothing that is done. Entries are added before any is removed, so
 * the access list is never empty on the way. The successor is not in use yet (it is only AWSPENDING), so removing
 * what the predecessor no longer has (e.g. entries the sweep pruned meanwhile) harms nobody. Returns the writes.
 */
export async function convergeSuccessor(
  client: AtlasClient,
  orgId: string,
  successor: ApiKey,
  want: KeyProfile,
  call: CallOptions,
): Promise<string[]> {
  const have = await readKeyProfile(client, orgId, successor, call);
  const difference = profileDifference(want, have);
  const changes: string[] = [];
  if (isSameProfile(difference)) return changes;
  if (difference.orgRoles !== undefined) {
    await client.updateOrgKey(orgId, successor.id, { roles: difference.orgRoles }, call);
    changes.push(`set org roles of ${successor.id} to ${difference.orgRoles.join(', ')}`);
  }
  for (let start = 0; start < difference.addEntries.length; start += ENTRIES_PER_REQUEST) {
    const batch = difference.addEntries.slice(start, start + ENTRIES_PER_REQUEST);
    await client.addAccessListEntries(orgId, successor.id, batch, call);
    changes.push(`added access-list entries ${batch.join(', ')} to ${successor.id}`);
  }
  for (const [groupId, roles] of difference.assign) {
    await client.assignKeyToProject(groupId, successor.id, roles, call);
    changes.push(`assigned ${successor.id} to project ${groupId} as ${roles.join(', ')}`);
  }
  for (const groupId of difference.unassign) {
    await client.removeKeyFromProject(groupId, successor.id, call);
    changes.push(`unassigned ${successor.id} from project ${groupId}`);
  }
  for (const entry of difference.removeEntries) {
    await client.deleteAccessListEntry(orgId, successor.id, entry, call);
    changes.push(`removed access-list entry ${entry} from ${successor.id}`);
  }
  return changes;
}
