import { RE2JS } from 're2js';

// Compiled patterns are stateless, so one per source serves every plan; the bound keeps a long-lived process
// that sees many policies from growing without limit.
const cache = new Map<string, RE2JS | undefined>();
const CACHE_LIMIT = 256;

/**
 * A policy regex compiled with RE2 semantics (linear time in the input, whatever the pattern), or `undefined`
 * when it does not compile. The schema rejects bad patterns; this is the planner's own guard, and each caller
 * decides which way an invalid pattern fails safe.
 */
export function compilePattern(source: unknown): RE2JS | undefined {
  if (typeof source !== 'string') return undefined;
  if (cache.has(source)) return cache.get(source);
  let compiled: RE2JS | undefined;
  try {
    compiled = RE2JS.compile(source);
  } catch {
    compiled = undefined;
  }
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(source, compiled);
  return compiled;
}
