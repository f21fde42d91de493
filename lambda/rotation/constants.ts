/** Metric names of rotation (the contract's spelling; the dashboard and alarm use the same). */
export const ROTATION_METRICS = {
  /** A rotation completed: its finishSecret step moved AWSCURRENT (Count). */
  succeeded: 'RotationsSucceeded',
  /** A rotation step failed or was refused (Count). */
  failed: 'RotationsFailed',
} as const;

/** Days the superseded credential keeps working (its key's retirement tag lies this far ahead). */
export const DEFAULT_GRACE_DAYS = 7;

/** Lifetime of a service-account secret created by a rotation: 90 days, well past a 30-day rotation plus grace. */
export const DEFAULT_SECRET_EXPIRES_AFTER_HOURS = 2160;

/** Atlas's limit on an API key's description. */
export const MAX_DESC_LENGTH = 250;

/** Atlas holds at most this many secrets per service account. */
export const MAX_SERVICE_ACCOUNT_SECRETS = 2;

/**
 * A service-account secret created this long after the current secret version was stored, never used, and held
 * by no version, is what an interrupted createSecret left behind (its value was lost): it is deleted and made
 * anew. The margin keeps clock skew between AWS and Atlas from ever making the current secret look new.
 */
export const ORPHAN_SECRET_MARGIN_MS = 10 * 60_000;

/** Marks a key created by a rotation: the predecessor's id and the rotation's token, so a retry finds it. */
export const SUCCESSOR_MARKER_PREFIX = 'atlas-key-worker:successor-of=';
