import type { ApiKey } from '../atlas/types.ts';
import { compilePattern } from './compile-pattern.ts';
import type { Policy } from './schema.ts';

export interface KeyProtection {
  readonly kind: 'self' | 'protected';
  readonly reason: string;
}

/** Says why a key must never be touched, or `undefined` when nothing protects it. */
export type KeyGuard = (key: ApiKey) => KeyProtection | undefined;

/**
 * Builds the check for the worker's own key and `policy.protectedKeys`. Ids and public keys compare
 * case-insensitively (more protective, and Atlas spells both in lowercase). Description patterns run with RE2
 * semantics (linear time: a key's description is written by whoever created the key). A description pattern
 * that does not compile cannot prove a key unprotected, so then every key is protected; a key without a
 * description (absent or `null`) is matched as the empty string.
 */
export function buildKeyGuard(protectedKeys: Policy['protectedKeys'], selfPublicKey?: string): KeyGuard {
  const self = selfPublicKey?.toLowerCase();
  const ids = new Set(protectedKeys.ids.map((id) => id.toLowerCase()));
  const publicKeys = new Set(protectedKeys.publicKeys.map((publicKey) => publicKey.toLowerCase()));
  const patterns = protectedKeys.descriptionPatterns.map((source) => ({ source, regex: compilePattern(source) }));
  return (key) => {
    const publicKey = String(key.publicKey).toLowerCase();
    if (self !== undefined && publicKey === self) {
      return { kind: 'self', reason: "the worker's own key: never touched" };
    }
    if (ids.has(String(key.id).toLowerCase())) {
      return { kind: 'protected', reason: `protected by policy (id ${key.id}): never touched` };
    }
    if (publicKeys.has(publicKey)) {
      return { kind: 'protected', reason: `protected by policy (public key ${key.publicKey}): never touched` };
    }
    const desc = typeof key.desc === 'string' ? key.desc : '';
    for (const { source, regex } of patterns) {
      if (regex === undefined) {
        return { kind: 'protected', reason: `policy description pattern /${source}/ does not compile: never touched` };
      }
      if (regex.test(desc)) {
        return { kind: 'protected', reason: `protected by policy (description matches /${source}/): never touched` };
      }
    }
    return undefined;
  };
}
