export { parsePolicy } from './parse-policy.ts';
export { plan } from './plan.ts';
export type { Policy, PolicyInput } from './schema.ts';
export type { Action, ActionKind, Evidence, Finding, Inventory, KeyInventory, Plan } from './types.ts';
