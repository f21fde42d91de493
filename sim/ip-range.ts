import { type AccessListAddress, parseAccessListEntry } from '../lambda/validation/access-list-entry.ts';

/** An access-list entry or client address as numbers, for containment checks. */
export interface IpRange extends AccessListAddress {
  /** The address bits (host bits as given, not masked). */
  readonly value: bigint;
  /** The address in the spec's wire form: IPv4 dotted, IPv6 as eight groups without `::`. */
  readonly wireAddress: string;
}

/** Parses an address or CIDR block. Throws `InputValidationError` like `parseAccessListEntry`. */
export function parseIpRange(text: string, field = 'ipAddress'): IpRange {
  const parsed = parseAccessListEntry(text, field);
  const wireAddress = parsed.pathSegment.split('%2F')[0] ?? '';
  let value = 0n;
  if (parsed.family === 4) {
    for (const octet of wireAddress.split('.')) value = (value << 8n) | BigInt(Number(octet));
  } else {
    for (const group of wireAddress.split(':')) value = (value << 16n) | BigInt(Number.parseInt(group, 16));
  }
  return { ...parsed, value, wireAddress };
}

/** Like `parseIpRange`, but `undefined` instead of throwing (state may hold hand-written fixtures). */
export function tryParseIpRange(text: string): IpRange | undefined {
  try {
    return parseIpRange(text);
  } catch {
    return undefined;
  }
}

/** True when every address of `inner` lies inside `outer`. */
export function rangeContains(outer: IpRange, inner: IpRange): boolean {
  if (outer.family !== inner.family || inner.prefix < outer.prefix) return false;
  const width = outer.family === 4 ? 32n : 128n;
  const shift = width - BigInt(outer.prefix);
  return outer.value >> shift === inner.value >> shift;
}
