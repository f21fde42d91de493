import { parsePolicy } from '../lambda/policy/parse-policy.ts';
import type { Policy } from '../lambda/policy/schema.ts';

/** The policy the function runs with, and its JSON for the `KEY_POLICY` environment variable. */
export interface ResolvedPolicy {
  readonly policy: Policy;
  readonly json: string;
}

/**
 * Validates a policy at synth time with the same schema the Lambda uses at start-up, with `dryRun` folded in.
 * `dryRun`, when given, overrides the policy's own; otherwise the policy's applies (which defaults to true).
 * Throws `InputValidationError` naming the first bad field, e.g. `policy: orgs.0.orgId must be 24 lowercase
 * hexadecimal digits`.
 */
export function resolvePolicy(policy: unknown, dryRun: boolean | undefined, source = 'policy'): ResolvedPolicy {
  const input =
    dryRun === undefined || typeof policy !== 'object' || policy === null || Array.isArray(policy)
      ? policy
      : { ...policy, dryRun };
  const parsed = parsePolicy(input, source);
  return { policy: parsed, json: JSON.stringify(parsed) };
}
