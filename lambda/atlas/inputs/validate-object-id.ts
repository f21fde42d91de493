import { objectIdSchema } from '../../policy/schema.ts';
import { InputValidationError } from '../../validation/errors.ts';
import { asPathSegment, type PathSegment } from './path-segment.ts';

/** Checks an Atlas id (`orgId`, `groupId`, `apiUserId`); throws `InputValidationError` naming `field` and value. */
export function validateObjectId(value: unknown, field: string): PathSegment {
  const result = objectIdSchema.safeParse(value);
  if (!result.success) {
    const shown = typeof value === 'string' ? JSON.stringify(value.length > 64 ? `${value.slice(0, 64)}…` : value) : typeof value;
    throw new InputValidationError(field, `must be 24 lowercase hexadecimal digits, given ${shown}`);
  }
  return asPathSegment(result.data);
}
