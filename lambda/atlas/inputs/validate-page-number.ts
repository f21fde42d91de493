import { InputValidationError } from '../../validation/errors.ts';

/** A 1-based page number, as `pageNum` (an integer ≥ 1). */
export function validatePageNumber(pageNum: number): number {
  if (!Number.isSafeInteger(pageNum) || pageNum < 1) {
    throw new InputValidationError('pageNum', `must be an integer ≥ 1, given ${String(pageNum)}`);
  }
  return pageNum;
}
