import type { CheckName } from './constants.ts';
import type { CheckResult } from './types.ts';

/** Builders that keep `orgId` and `fix` absent rather than undefined (exactOptionalPropertyTypes, clean JSON). */
export function pass(name: CheckName, detail: string, orgId?: string): CheckResult {
  return { ...(orgId === undefined ? {} : { orgId }), name, status: 'pass', detail };
}

export function fail(name: CheckName, detail: string, fix: string, orgId?: string): CheckResult {
  return { ...(orgId === undefined ? {} : { orgId }), name, status: 'fail', detail, fix };
}

export function warn(name: CheckName, detail: string, fix?: string, orgId?: string): CheckResult {
  return { ...(orgId === undefined ? {} : { orgId }), name, status: 'warn', detail, ...(fix === undefined ? {} : { fix }) };
}
