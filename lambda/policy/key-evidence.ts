import type { ApiKey } from '../atlas/types.ts';
import type { Evidence } from './types.ts';

/** The part of every action's and finding's evidence that names the key. */
export function keyEvidence(key: ApiKey): Evidence {
  const publicKey = String(key.publicKey);
  return typeof key.desc === 'string' ? { publicKey, desc: key.desc } : { publicKey };
}
