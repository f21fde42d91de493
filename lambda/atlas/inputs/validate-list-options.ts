import { InputValidationError } from '../../validation/errors.ts';
import { DEFAULT_ITEMS_PER_PAGE, MAX_ITEMS_PER_PAGE } from '../constants.ts';
import type { ListOptions } from '../types.ts';

export interface PageRange {
  readonly startPage: number;
  readonly itemsPerPage: number;
  /** Pages to fetch at most; `undefined` for all. */
  readonly maxPages?: number | undefined;
}

/** `startPage` ≥ 1, `itemsPerPage` within 1–500 (the spec's bounds) and `maxPages` ≥ 1, all integers. */
export function validateListOptions(options: ListOptions | undefined): PageRange {
  const startPage = options?.startPage ?? 1;
  const itemsPerPage = options?.itemsPerPage ?? DEFAULT_ITEMS_PER_PAGE;
  const maxPages = options?.maxPages;
  if (!Number.isSafeInteger(startPage) || startPage < 1) {
    throw new InputValidationError('startPage', `must be an integer ≥ 1, given ${String(startPage)}`);
  }
  if (!Number.isSafeInteger(itemsPerPage) || itemsPerPage < 1 || itemsPerPage > MAX_ITEMS_PER_PAGE) {
    throw new InputValidationError(
      'itemsPerPage',
      `must be an integer between 1 and ${MAX_ITEMS_PER_PAGE} inclusive, given ${String(itemsPerPage)}`,
    );
  }
  if (maxPages !== undefined && (!Number.isSafeInteger(maxPages) || maxPages < 1)) {
    throw new InputValidationError('maxPages', `must be an integer ≥ 1, given ${String(maxPages)}`);
  }
  return { startPage, itemsPerPage, maxPages };
}
