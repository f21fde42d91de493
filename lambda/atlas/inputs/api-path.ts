import type { PathSegment } from './path-segment.ts';

/**
 * Joins literal path words and validated segments, e.g. apiPath`/orgs/${orgId}/apiKeys`. A tagged template
 * that accepts only `PathSegment` values, so nothing unvalidated can be interpolated into a path.
 */
export function apiPath(literals: TemplateStringsArray, ...segments: PathSegment[]): string {
  let path = literals[0] ?? '';
  segments.forEach((segment, index) => {
    path += segment + (literals[index + 1] ?? '');
  });
  return path;
}
