import type * as z from 'zod';
import { InputValidationError } from '../validation/errors.ts';
import { fieldPath } from './field-path.ts';
import { showValue } from './show-value.ts';

/**
 * One `InputValidationError` for a failed command parse, named after the first bad field (an unknown key is
 * named itself: `message.extra`). The message says what is wrong and shows the bad value, escaped and
 * truncated, plus how many more problems there are. `input` is the parsed value, to find the bad value in.
 */
export function toValidationError(source: string, issues: readonly z.core.$ZodIssue[], input: unknown): InputValidationError {
  const [first] = issues;
  if (first === undefined) return new InputValidationError(source, 'is invalid');
  const path = first.path.map((segment) => (typeof segment === 'symbol' ? String(segment) : segment));
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more ${issues.length === 2 ? 'problem' : 'problems'})` : '';

  if (first.code === 'unrecognized_keys') {
    const [key = '', ...others] = first.keys;
    const also = others.length > 0 ? `; ${others.length} more unknown ${others.length === 1 ? 'field' : 'fields'}` : '';
    return new InputValidationError(fieldPath(source, [...path, key]), `is not a known field${also}${more}`);
  }

  const located = locate(input, path);
  let problem: string;
  if (first.code === 'invalid_union' && 'discriminator' in first && first.discriminator !== undefined) {
    const options = 'options' in first && Array.isArray(first.options) ? first.options.map(String) : [];
    problem = `must be one of ${options.map((option) => `"${option}"`).join(', ')}`;
  } else if (!located.present && first.code === 'invalid_type') {
    problem = 'is required';
  } else {
    problem = first.message;
  }
  const given = located.present ? `, given ${showValue(located.value)}` : '';
  return new InputValidationError(fieldPath(source, path), `${problem}${given}${more}`);
}

/** The value at `path` in `input`, and whether it is there at all (own property / array element). */
function locate(input: unknown, path: readonly PropertyKey[]): { present: boolean; value?: unknown } {
  let value: unknown = input;
  for (const segment of path) {
    if (typeof value !== 'object' || value === null || !Object.hasOwn(value, segment)) return { present: false };
    value = (value as Record<PropertyKey, unknown>)[segment];
  }
  return { present: true, value };
}
