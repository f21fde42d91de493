/** Keys that could reach an object's prototype if anything downstream merged the message into an object. */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/** No command nests deeper than this (an envelope's `detail`, a sweep's `cursor`); the rest is hostile. */
export const MAX_DEPTH = 8;

export type KeyPath = readonly (string | number)[];

export interface JsonHazard {
  readonly path: KeyPath;
  readonly hazard: 'forbidden-key' | 'too-deep';
}

/**
 * Walks parsed JSON (iteratively, so depth cannot exhaust the stack) and returns the first forbidden key or
 * over-deep container, with its path; `undefined` when the value is clean.
 */
export function findJsonHazard(value: unknown): JsonHazard | undefined {
  const pending: { value: unknown; path: KeyPath }[] = [{ value, path: [] }];
  for (let item = pending.pop(); item !== undefined; item = pending.pop()) {
    const { value: node, path } = item;
    if (typeof node !== 'object' || node === null) continue;
    if (path.length > MAX_DEPTH) return { path, hazard: 'too-deep' };
    const children: { value: unknown; path: KeyPath }[] = [];
    if (Array.isArray(node)) {
      node.forEach((child: unknown, index) => {
        children.push({ value: child, path: [...path, index] });
      });
    } else {
      for (const key of Object.keys(node)) {
        if (FORBIDDEN_KEYS.has(key)) return { path: [...path, key], hazard: 'forbidden-key' };
        children.push({ value: (node as Record<string, unknown>)[key], path: [...path, key] });
      }
    }
    // Depth-first in document order: push the children reversed so the first is checked first.
    for (let index = children.length - 1; index >= 0; index -= 1) pending.push(children[index]!);
  }
  return undefined;
}
