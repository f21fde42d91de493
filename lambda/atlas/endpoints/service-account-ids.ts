import { InputValidationError } from '../../validation/errors.ts';
import type { PathSegment } from '../inputs/path-segment.ts';
import { validateObjectId } from '../inputs/validate-object-id.ts';

const CLIENT_ID = /^mdb_sa_id_[a-fA-F0-9]{24}$/;

/**
 * A service account's client id as a path segment. The pattern is the spec's and admits nothing else; the generic
 * segment guard (letters, digits, dots) would refuse its underscores, hence the brand is given here.
 */
export function validateClientId(value: unknown, field = 'clientId'): PathSegment {
  if (typeof value !== 'string' || !CLIENT_ID.test(value)) {
    const shown = typeof value === 'string' ? JSON.stringify(value.length > 64 ? `${value.slice(0, 64)}…` : value) : typeof value;
    throw new InputValidationError(field, `must be mdb_sa_id_ followed by 24 hexadecimal digits, given ${shown}`);
  }
  return value as PathSegment;
}

/** A secret's id: 24 lowercase hexadecimal digits, like every Atlas id. */
export function validateSecretId(value: unknown, field = 'secretId'): PathSegment {
  return validateObjectId(value, field);
}
