/**
 * A string that passed validation and may be placed in a URL path. Only the validators in this folder create
 * one, so the compiler refuses any unvalidated value in a path.
 */
export type PathSegment = string & { readonly __brand: 'PathSegment' };

/** Last line of defence: even a validated segment must be made of these characters only. */
const SAFE_SEGMENT = /^[0-9A-Za-z.:]+(%2F[0-9]{1,3})?$/;

export function asPathSegment(value: string): PathSegment {
  if (!SAFE_SEGMENT.test(value) || value.includes('..')) {
    throw new Error(`refusing an unsafe path segment ${JSON.stringify(value)}`);
  }
  return value as PathSegment;
}
