import { AtlasApiError } from './errors.ts';
import type { NotFoundSubject } from './types.ts';

/**
 * The answers Atlas documents for "this does not exist", by what the call addressed (shared/atlas/README.md,
 * Atlas's error-code list). An unassign also counts `GROUP_NOT_FOUND`: without the project there is no
 * assignment. For an access-list entry, `API_KEY_WHITELIST_NOT_FOUND` is the documented (legacy) code and
 * `API_KEY_ACCESS_LIST_ENTRY_NOT_FOUND` its access-list-era name (as other Atlas clients map it); the spec names
 * neither. `API_KEY_NOT_FOUND` is documented as a 400.
 */
export const NOT_FOUND_CODES: Readonly<Record<NotFoundSubject, { readonly 404: readonly string[]; readonly 400: readonly string[] }>> = {
  'org-key': { 404: ['RESOURCE_NOT_FOUND', 'API_KEY_NOT_FOUND'], 400: ['API_KEY_NOT_FOUND'] },
  'project-assignment': { 404: ['RESOURCE_NOT_FOUND', 'API_KEY_NOT_FOUND', 'GROUP_NOT_FOUND'], 400: ['API_KEY_NOT_FOUND'] },
  'access-list-entry': {
    404: ['RESOURCE_NOT_FOUND', 'API_KEY_NOT_FOUND', 'API_KEY_WHITELIST_NOT_FOUND', 'API_KEY_ACCESS_LIST_ENTRY_NOT_FOUND'],
    400: ['API_KEY_NOT_FOUND'],
  },
  project: { 404: ['RESOURCE_NOT_FOUND', 'GROUP_NOT_FOUND'], 400: [] },
};

/**
 * True when `error` is Atlas saying that what the call addressed does not exist: a 404 (or `400
 * API_KEY_NOT_FOUND`) carrying an Atlas error body with one of the codes documented for `subject`. Any other 404
 * (an HTML page from a proxy or a wrong base URL, no body, `UNEXPECTED_ERROR`) is not: it says nothing about the
 * resource. `subject` defaults to an org API key (`getOrgKey`, `deleteOrgKey`).
 */
export function isNotFound(error: unknown, subject: NotFoundSubject = 'org-key'): error is AtlasApiError {
  if (!(error instanceof AtlasApiError) || error.kind !== 'http' || error.errorCode === undefined) return false;
  const codes = NOT_FOUND_CODES[subject];
  if (error.status === 404) return codes[404].includes(error.errorCode);
  if (error.status === 400) return codes[400].includes(error.errorCode);
  return false;
}
