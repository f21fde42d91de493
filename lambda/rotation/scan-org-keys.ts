import type { ApiKey, AtlasClient, CallOptions } from '../atlas/types.ts';
import { SUCCESSOR_MARKER_PREFIX } from './constants.ts';

export interface KeyScan {
  /** The keys found among `publicKeys`. */
  readonly byPublicKey: ReadonlyMap<string, ApiKey>;
  /** Keys whose description carries a successor marker with this token (for any predecessor: filter after). */
  readonly marked: readonly ApiKey[];
}

/**
 * Reads the org's key listing once, picking out keys by public key and, with `token`, the keys a rotation with
 * that token created. A listing that shifts while it is read (keys deleted meanwhile) can
 * hide a key, so a public key not found is looked for in a second full scan before it counts as absent.
 */
export async function scanOrgKeys(
  client: AtlasClient,
  orgId: string,
  wanted: { readonly publicKeys: readonly string[]; readonly token?: string },
  call: CallOptions,
): Promise<KeyScan> {
  const byPublicKey = new Map<string, ApiKey>();
  const marked = new Map<string, ApiKey>();
  for (let scan = 0; scan < 2; scan += 1) {
    for await (const page of client.listOrgKeys(orgId, call)) {
      for (const key of page.results) {
        if (wanted.publicKeys.includes(key.publicKey)) byPublicKey.set(key.publicKey, key);
        if (wanted.token !== undefined && carriesToken(key.desc, wanted.token)) marked.set(key.id, key);
      }
      // Nothing more to look for: stop paging (a marker search must read the whole listing).
      if (wanted.token === undefined && byPublicKey.size === wanted.publicKeys.length) break;
    }
    if (byPublicKey.size === wanted.publicKeys.length) break;
  }
  return { byPublicKey, marked: [...marked.values()] };
}

function carriesToken(desc: unknown, token: string): boolean {
  return typeof desc === 'string' && desc.includes(SUCCESSOR_MARKER_PREFIX) && desc.includes(`:${token}`);
}
