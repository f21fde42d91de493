import type { Action, ActionKind } from './types.ts';

// Least destructive first: if a run stops part-way, what is left undone is the most drastic part.
const RANK: Readonly<Record<ActionKind, number>> = { pruneAccessListEntry: 0, unassignFromProject: 1, deleteOrgKey: 2 };

/** Actions in safe execution order: prunes, then unassigns, then deletes; each kind in its given order. */
export function orderActions(actions: readonly Action[]): Action[] {
  // Array.prototype.sort is stable, so the given (inventory) order holds within a kind.
  return [...actions].sort((a, b) => RANK[a.kind] - RANK[b.kind]);
}
