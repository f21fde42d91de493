import { parseAccessListEntry } from '../validation/access-list-entry.ts';

const IPV4 = /\b\d{1,3}(?:\.\d{1,3}){3}\b/g;
const IPV6 = /\b[0-9a-fA-F]{0,4}(?::[0-9a-fA-F]{0,4}){2,7}\b/g;

/**
 * The caller's address as Atlas names it in a 403 detail ("IP address 203.0.113.7 is not allowed to access
 * this resource."): the first token that parses as a single IPv4/IPv6 address.
 */
export function addressInDetail(detail: string | undefined): string | undefined {
  if (detail === undefined) return undefined;
  for (const pattern of [IPV4, IPV6]) {
    for (const match of detail.matchAll(pattern)) {
      try {
        const parsed = parseAccessListEntry(match[0]);
        if (parsed.prefix === (parsed.family === 4 ? 32 : 128)) return parsed.normalised;
      } catch {
        // Not an address (a version number, a time): look further.
      }
    }
  }
  return undefined;
}
