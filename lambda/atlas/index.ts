export { createAtlasClient } from './create-atlas-client.ts';
export {
  AtlasAbortedError,
  AtlasApiError,
  AtlasAuthError,
  AtlasDeadlineError,
  type AtlasErrorDetails,
  type AtlasErrorKind,
  AtlasMalformedResponseError,
  AtlasNetworkError,
  AtlasTimeoutError,
} from './errors.ts';
export { isNotFound, NOT_FOUND_CODES } from './is-not-found.ts';
export { redact } from './redact.ts';
export type * from './types.ts';
export type * from './endpoints/write-types.ts';
