import { InputValidationError } from '../validation/errors.ts';
import { type Policy, policySchema } from './schema.ts';

/** Receives each warning about a valid policy (a deprecated field, ...): one line, no secrets. */
export type PolicyWarningHandler = (message: string) => void;

/**
 * Parses a policy from JSON text or an object; throws `InputValidationError` naming the first bad field.
 * Warnings (deprecated fields) go to `onWarning`; without one they are emitted as a Node process warning, so a
 * deprecation is never silent.
 */
export function parsePolicy(input: unknown, source = 'policy', onWarning: PolicyWarningHandler = emitWarning): Policy {
  let value = input;
  if (typeof input === 'string') {
    try {
      value = JSON.parse(input);
    } catch (error) {
      throw new InputValidationError(source, `is not valid JSON (${(error as Error).message})`);
    }
  }
  const result = policySchema.safeParse(value);
  if (!result.success) throw InputValidationError.fromZod(source, result.error.issues);
  if ((value as { maxDeletionsPerRun?: unknown }).maxDeletionsPerRun !== undefined) {
    onWarning(
      `${source}.maxDeletionsPerRun is deprecated: rename it maxWritesPerOrgPerDay, now a durable write budget per org and UTC day (no longer per run)`,
    );
  }
  return result.data;
}

function emitWarning(message: string): void {
  process.emitWarning(message, { type: 'DeprecationWarning', code: 'ATLAS_KEY_WORKER_POLICY' });
}
