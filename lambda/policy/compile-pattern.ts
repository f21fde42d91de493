/**
 * A policy regex (JS syntax, `u` flag), or `undefined` when it does not compile. The schema rejects bad patterns;
 * this is the planner's own guard, and each caller decides which way an invalid pattern fails safe.
 */
export function compilePattern(source: unknown): RegExp | undefined {
  if (typeof source !== 'string') return undefined;
  try {
    return new RegExp(source, 'u');
  } catch {
    return undefined;
  }
}
