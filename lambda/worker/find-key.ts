import type { ApiKey, AtlasClient, CallOptions } from '../atlas/types.ts';

/** Finds one org key by id or public key by walking the org's key listing (stops at the first match). */
export async function findOrgKey(
  client: AtlasClient,
  orgId: string,
  match: { apiUserId?: string; publicKey?: string },
  call: CallOptions,
): Promise<ApiKey | undefined> {
  for await (const page of client.listOrgKeys(orgId, call)) {
    const key = page.results.find((k) => k.id === match.apiUserId || k.publicKey === match.publicKey);
    if (key) return key;
  }
  return undefined;
}

/** Finds a key among those assigned to one project. */
export async function findProjectKey(
  client: AtlasClient,
  groupId: string,
  apiUserId: string,
  call: CallOptions,
): Promise<ApiKey | undefined> {
  for await (const page of client.listProjectKeys(groupId, call)) {
    const key = page.results.find((k) => k.id === apiUserId);
    if (key) return key;
  }
  return undefined;
}
