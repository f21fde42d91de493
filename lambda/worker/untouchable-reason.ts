import type { ApiKey } from '../atlas/types.ts';
import type { Policy } from '../policy/schema.ts';

/** Why a key must not be touched (the worker's own key, or protected by the policy), or undefined. */
export function untouchableReason(key: ApiKey, policy: Policy, selfPublicKey: string | undefined): string | undefined {
  if (selfPublicKey !== undefined && key.publicKey === selfPublicKey) return 'the worker\'s own key is never touched';
  const guard = policy.protectedKeys;
  if (guard.ids.includes(key.id)) return 'protected by id in the policy';
  if (guard.publicKeys.includes(key.publicKey)) return 'protected by public key in the policy';
  const pattern = guard.descriptionPatterns.find((source) => new RegExp(source, 'u').test(key.desc ?? ''));
  if (pattern !== undefined) return `protected: description matches /${pattern}/`;
  return undefined;
}
