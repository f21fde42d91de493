import { redact, sanitizeCause } from './redact.ts';

/**
 * `http`: the API answered with an error status. `network`: the connection failed or was reset. `timeout`: a
 * connect/headers/body timeout fired. `deadline`: the caller's deadline passed (or would pass before a wait
 * ends). `aborted`: the caller's signal fired. `malformed-response`: a body that is not the JSON the contract
 * promises. `auth`: credentials were refused or could not be obtained.
 */
export type AtlasErrorKind = 'http' | 'network' | 'timeout' | 'deadline' | 'aborted' | 'malformed-response' | 'auth';

export interface AtlasErrorDetails {
  readonly method: string;
  /** Request path; any query string is dropped. */
  readonly path: string;
  readonly status?: number;
  readonly errorCode?: string;
  readonly reason?: string;
  readonly detail?: string;
  /** HTTP requests sent for this call so far (including auth round trips). */
  readonly attempts?: number;
  /** From a `Retry-After` header. */
  readonly retryAfterMs?: number;
  readonly cause?: unknown;
}

/**
 * Thrown by every Atlas client call that does not succeed. Carries no credentials: the message, `detail`,
 * `reason` and the stack are redacted here, and `cause` is replaced by a redacted copy.
 */
export class AtlasApiError extends Error {
  override readonly name: string = 'AtlasApiError';
  readonly kind: AtlasErrorKind;
  readonly method: string;
  readonly path: string;
  readonly status: number | undefined;
  readonly errorCode: string | undefined;
  readonly reason: string | undefined;
  readonly detail: string | undefined;
  readonly attempts: number;
  readonly retryAfterMs: number | undefined;

  constructor(message: string, details: AtlasErrorDetails, kind: AtlasErrorKind = 'http') {
    const cause = sanitizeCause(details.cause);
    super(redact(message), cause === undefined ? undefined : { cause });
    this.kind = kind;
    this.method = details.method;
    this.path = redact(stripQuery(details.path));
    this.status = details.status;
    this.errorCode = details.errorCode;
    this.reason = details.reason === undefined ? undefined : redact(details.reason);
    this.detail = details.detail === undefined ? undefined : redact(details.detail);
    this.attempts = details.attempts ?? 1;
    this.retryAfterMs = details.retryAfterMs;
  }

  /** The same error with a different attempt count (the retry loop learns the count after construction). */
  withAttempts(attempts: number): this {
    const copy = Object.create(Object.getPrototypeOf(this) as object) as this;
    Object.defineProperties(copy, Object.getOwnPropertyDescriptors(this));
    Object.defineProperty(copy, 'attempts', { value: attempts, enumerable: true });
    return copy;
  }

  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      kind: this.kind,
      message: this.message,
      method: this.method,
      path: this.path,
      status: this.status,
      errorCode: this.errorCode,
      reason: this.reason,
      detail: this.detail,
      attempts: this.attempts,
    };
  }
}

/** The connection failed, was refused or reset before a full response arrived. */
export class AtlasNetworkError extends AtlasApiError {
  override readonly name = 'AtlasNetworkError';
  constructor(message: string, details: AtlasErrorDetails) {
    super(message, details, 'network');
  }
}

/** A connect, headers or body timeout of the transport fired. */
export class AtlasTimeoutError extends AtlasApiError {
  override readonly name = 'AtlasTimeoutError';
  constructor(message: string, details: AtlasErrorDetails) {
    super(message, details, 'timeout');
  }
}

/** The caller's deadline passed, or a retry or pacing wait would have ended after it. */
export class AtlasDeadlineError extends AtlasApiError {
  override readonly name = 'AtlasDeadlineError';
  constructor(message: string, details: AtlasErrorDetails) {
    super(message, details, 'deadline');
  }
}

/** The caller's `signal` fired. */
export class AtlasAbortedError extends AtlasApiError {
  override readonly name = 'AtlasAbortedError';
  constructor(message: string, details: AtlasErrorDetails) {
    super(message, details, 'aborted');
  }
}

/** A 2xx body that is not valid JSON or does not have the shape the contract promises. */
export class AtlasMalformedResponseError extends AtlasApiError {
  override readonly name = 'AtlasMalformedResponseError';
  constructor(message: string, details: AtlasErrorDetails) {
    super(message, details, 'malformed-response');
  }
}

/** Credentials refused (a 401 that survived the auth layer's retry) or the OAuth token endpoint failed. */
export class AtlasAuthError extends AtlasApiError {
  override readonly name = 'AtlasAuthError';
  constructor(message: string, details: AtlasErrorDetails) {
    super(message, details, 'auth');
  }
}

function stripQuery(path: string): string {
  const index = path.indexOf('?');
  return index === -1 ? path : path.slice(0, index);
}
