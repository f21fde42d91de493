import { type AccessListAddress, parseAccessListEntry } from '../validation/access-list-entry.ts';
import { cidrOverlap } from './cidr-overlap.ts';

/** Says why an access-list address must not be pruned (the protecting policy value), or `undefined`. */
export type EntryGuard = (address: AccessListAddress) => string | undefined;

/**
 * Builds the check for `policy.protectedEntries`. An entry is protected when it shares any address with a
 * protected entry: equal, inside a protected block, or a block that contains a protected address (pruning
 * `10.0.0.0/8` would cut off a protected `10.1.2.3` just the same). A protected value that does not parse
 * cannot be matched, so then every entry is protected.
 */
export function buildEntryGuard(protectedEntries: readonly unknown[]): EntryGuard {
  const parsed: { readonly text: string; readonly address: AccessListAddress }[] = [];
  for (const value of protectedEntries) {
    try {
      parsed.push({ text: String(value), address: parseAccessListEntry(value) });
    } catch {
      const shown = JSON.stringify(value);
      return () => `policy.protectedEntries holds ${shown}, not an address: pruning disabled`;
    }
  }
  return (address) => {
    const match = parsed.find((candidate) => cidrOverlap(candidate.address, address));
    return match && `protected by policy (${match.text})`;
  };
}
