import type { AccessListEntry, AtlasClient } from '../../../lambda/atlas/types.ts';
import type { Inventory, KeyInventory } from '../../../lambda/policy/types.ts';

/** The org's keys with their whole access lists, read through the client as a sweep reads them. */
export async function readInventory(client: AtlasClient, orgId: string, selfPublicKey?: string): Promise<Inventory> {
  const keys: KeyInventory[] = [];
  for await (const page of client.listOrgKeys(orgId)) {
    for (const key of page.results) {
      const accessList: AccessListEntry[] = [];
      for await (const entries of client.listAccessList(orgId, key.id)) accessList.push(...entries.results);
      keys.push({ key, accessList });
    }
  }
  return { orgId, keys, ...(selfPublicKey === undefined ? {} : { selfPublicKey }) };
}
