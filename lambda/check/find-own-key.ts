import type { ApiKey } from '../atlas/types.ts';
import type { OrgContext } from './org-context.ts';

/**
 * The worker's own API key in the org's listing, found by its public key (the credentials do not carry its
 * id). Stops paging at the key: the listing is sorted by public key, but a listing out of order is still
 * searched to its end rather than trusted.
 */
export async function findOwnKey(ctx: OrgContext, publicKey: string): Promise<ApiKey | undefined> {
  for await (const page of ctx.client.listOrgKeys(ctx.orgId, ctx.call)) {
    const key = page.results.find((candidate) => candidate.publicKey === publicKey);
    if (key !== undefined) return key;
  }
  return undefined;
}
