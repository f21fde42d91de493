export { nextDue, type NextDueOptions } from './next-due.ts';
export { type PolicyWarningHandler, parsePolicy } from './parse-policy.ts';
export { plan } from './plan.ts';
export { policyDigest } from './policy-digest.ts';
export { type RefusePruneOptions, refusePrune } from './refuse-prune.ts';
export { findRetirementDate, formatRetirementTag, RETIREMENT_TAG_PREFIX } from './retirement-tag.ts';
export type { Policy, PolicyInput } from './schema.ts';
export type { Action, ActionKind, Evidence, Finding, Inventory, KeyInventory, Plan } from './types.ts';
