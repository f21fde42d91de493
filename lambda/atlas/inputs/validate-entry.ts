import { parseAccessListEntry } from '../../validation/access-list-entry.ts';
import { asPathSegment, type PathSegment } from './path-segment.ts';

/** An access-list entry as a path segment: IPv6 uncompressed, a CIDR's `/` as `%2F` (the spec's pattern). */
export function validateEntry(value: unknown, field = 'entry'): PathSegment {
  return asPathSegment(parseAccessListEntry(value, field).pathSegment);
}
