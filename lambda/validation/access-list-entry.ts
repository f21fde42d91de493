import { isIPv4, isIPv6 } from 'node:net';
import { InputValidationError } from './errors.ts';

export interface AccessListAddress {
  /** Canonical text: lowercase, compressed IPv6, `/N` only when the mask is narrower than a single host. */
  readonly normalised: string;
  readonly family: 4 | 6;
  /** Prefix length; 32 or 128 for a single address. */
  readonly prefix: number;
  /**
   * The path segment to send, `/` as `%2F`. IPv6 goes uncompressed (eight groups): the spec's `ipAddress`
   * pattern accepts no `::` inside an address.
   */
  readonly pathSegment: string;
}

const IPV4_TEXT = /^\d{1,3}(\.\d{1,3}){3}$/;
const IPV6_TEXT = /^[0-9a-f:.]+$/;
const PREFIX_TEXT = /^\d{1,3}$/;

/**
 * Parses an access-list entry (IPv4/IPv6 address or CIDR block) strictly: ASCII only, no zone ids, no leading
 * zeros in IPv4 octets, a mask within the family's range. Throws `InputValidationError` naming `field`.
 */
export function parseAccessListEntry(value: unknown, field = 'entry'): AccessListAddress {
  if (typeof value !== 'string') throw new InputValidationError(field, `must be a string, given ${typeof value}`);
  const shown = JSON.stringify(value.length > 64 ? `${value.slice(0, 64)}…` : value);
  const fail = (why: string): never => {
    throw new InputValidationError(field, `${why}, given ${shown}`);
  };
  if (value.length === 0 || value.length > 49) fail('must be an IPv4/IPv6 address or CIDR block');
  const parts = value.split('/');
  if (parts.length > 2) fail('must contain at most one "/"');
  const [addressText = '', prefixText] = parts;
  const address = addressText.toLowerCase();

  let family: 4 | 6;
  let canonical: string;
  let wire: string;
  if (IPV4_TEXT.test(address) && isIPv4(address)) {
    family = 4;
    canonical = address;
    wire = address;
  } else if (address.includes(':') && IPV6_TEXT.test(address) && isIPv6(address)) {
    family = 6;
    const groups = expandIPv6(address).map((group) => group.replace(/^0+(?=.)/, ''));
    canonical = compressIPv6(groups);
    wire = groups.join(':');
  } else {
    return fail('must be an IPv4/IPv6 address or CIDR block');
  }

  const width = family === 4 ? 32 : 128;
  let prefix = width;
  if (prefixText !== undefined) {
    if (!PREFIX_TEXT.test(prefixText)) fail(`must have a mask of 0-${width} after "/"`);
    prefix = Number(prefixText);
    if (prefix > width) fail(`must have a mask of 0-${width} after "/"`);
  }
  const normalised = prefix === width ? canonical : `${canonical}/${prefix}`;
  const pathSegment = prefix === width ? wire : `${wire}%2F${prefix}`;
  return { normalised, family, prefix, pathSegment };
}

/** RFC 5952 text form: lowercase, leading zeros dropped, longest run (≥ 2) of zero groups as `::`. */
function compressIPv6(groups: readonly string[]): string {
  let bestStart = -1;
  let bestLength = 0;
  for (let start = 0; start < groups.length; ) {
    if (groups[start] !== '0') {
      start += 1;
      continue;
    }
    let end = start;
    while (end < groups.length && groups[end] === '0') end += 1;
    if (end - start > bestLength) {
      bestStart = start;
      bestLength = end - start;
    }
    start = end;
  }
  if (bestLength < 2) return groups.join(':');
  const head = groups.slice(0, bestStart).join(':');
  const tail = groups.slice(bestStart + bestLength).join(':');
  return `${head}::${tail}`;
}

/** Eight 16-bit hex groups; an embedded IPv4 tail becomes two groups. */
function expandIPv6(address: string): string[] {
  let text = address;
  const lastColon = text.lastIndexOf(':');
  const tail = text.slice(lastColon + 1);
  if (tail.includes('.')) {
    const octets = tail.split('.').map(Number);
    const high = (((octets[0] ?? 0) << 8) | (octets[1] ?? 0)).toString(16);
    const low = (((octets[2] ?? 0) << 8) | (octets[3] ?? 0)).toString(16);
    text = `${text.slice(0, lastColon + 1)}${high}:${low}`;
  }
  const [left = '', right] = text.split('::');
  const leftGroups = left === '' ? [] : left.split(':');
  const rightGroups = right === undefined || right === '' ? [] : right.split(':');
  const missing = 8 - leftGroups.length - rightGroups.length;
  const middle = right === undefined ? [] : Array.from({ length: missing }, () => '0');
  return [...leftGroups, ...middle, ...rightGroups];
}
