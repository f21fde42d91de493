import { InputValidationError } from '../../validation/errors.ts';
import { DEFAULT_ITEMS_PER_PAGE, MAX_ITEMS_PER_PAGE } from '../constants.ts';
import type { ListOptions } from '../types.ts';

export interface PageRange {
  readonly startPage: number;
  readonly itemsPerPage: number;
}

/** `startPage` ≥ 1 and `itemsPerPage` within 1–500, both integers (the spec's bounds). */
export function validateListOptions(options: ListOptions | undefined): PageRange {
  const startPage = options?.startPage ?? 1;
  const itemsPerPage = options?.itemsPerPage ?? DEFAULT_ITEMS_PER_PAGE;
  if (!Number.isSafeInteger(startPage) || startPage < 1) {
    throw new InputValidationError('startPage', `must be an integer ≥ 1, given ${String(startPage)}`);
  }
  if (!Number.isSafeInteger(itemsPerPage) || itemsPerPage < 1 || itemsPerPage > MAX_ITEMS_PER_PAGE) {
    throw new InputValidationError(
      'itemsPerPage',
      `must be an integer between 1 and ${MAX_ITEMS_PER_PAGE} inclusive, given ${String(itemsPerPage)}`,
    );
  }
  return { startPage, itemsPerPage };
}
