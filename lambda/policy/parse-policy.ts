import { InputValidationError } from '../validation/errors.ts';
import { type Policy, policySchema } from './schema.ts';

/** Parses a policy from JSON text or an object; throws `InputValidationError` naming the first bad field. */
export function parsePolicy(input: unknown, source = 'policy'): Policy {
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
  return result.data;
}
