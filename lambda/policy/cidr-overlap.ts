import type { AccessListAddress } from '../validation/access-list-entry.ts';

interface Range {
  readonly first: bigint;
  readonly last: bigint;
}

const IPV4_MAPPED = 0xffffn << 32n;

/**
 * Whether two addresses/CIDR blocks share any address. For CIDR blocks that means one contains the other.
 * IPv4 is compared in IPv4-mapped IPv6 space, so `10.0.0.1` and `::ffff:10.0.0.1` overlap.
 */
export function cidrOverlap(a: AccessListAddress, b: AccessListAddress): boolean {
  const left = toRange(a);
  const right = toRange(b);
  return left.first <= right.last && right.first <= left.last;
}

function toRange(address: AccessListAddress): Range {
  let value: bigint;
  let prefix: number;
  if (address.family === 4) {
    const [text = ''] = address.normalised.split('/');
    value = IPV4_MAPPED | text.split('.').reduce((sum, octet) => (sum << 8n) | BigInt(Number(octet)), 0n);
    prefix = 96 + address.prefix;
  } else {
    // `pathSegment` spells IPv6 out as eight groups, which is easy to read back.
    const [text = ''] = address.pathSegment.split('%2F');
    value = text.split(':').reduce((sum, group) => (sum << 16n) | BigInt(Number.parseInt(group, 16)), 0n);
    prefix = address.prefix;
  }
  const hostBits = BigInt(128 - prefix);
  const hostMask = (1n << hostBits) - 1n;
  const first = (value >> hostBits) << hostBits;
  return { first, last: first | hostMask };
}
