import type { Policy } from '../policy/schema.ts';

/**
 * Whether this policy lets the worker write at all: sweeps when `dryRun` is false, explicit commands (revocations
 * included) unless `commands` is "dry-run" or "reject". Missing roles only block a worker that can write.
 */
export function writesPossible(policy: Policy): boolean {
  const commands = (policy as { commands?: unknown }).commands ?? 'execute';
  return policy.dryRun === false || commands === 'execute';
}
