/**
 * Base of every error a rotation step throws on purpose. Its message names the secret and what to do; it never
 * holds a private key or a secret (callers log it as is). `cause` is the underlying error, when there is one.
 */
export class RotationError extends Error {
  override readonly name: string = 'RotationError';
}

/**
 * Thrown before anything is changed when a rotation must not run: the secret is not in `ROTATION_CONFIG`, the
 * event is malformed, rotation is not enabled, the token is not the secret's pending version, the secret's
 * shape or flavour cannot be rotated (Ops Manager has no service accounts), or the worker's credentials point
 * at another Atlas than the secret.
 */
export class RotationRefusedError extends RotationError {
  override readonly name = 'RotationRefusedError';
}

/**
 * Thrown by createSecret when the service account already holds the two secrets Atlas allows, none of which a
 * rotation left behind: one must be deleted (the sweep does so after its grace date) before a new one can exist.
 */
export class ServiceAccountSecretLimitError extends RotationError {
  override readonly name = 'ServiceAccountSecretLimitError';
}

/**
 * Thrown when Atlas or Secrets Manager is not in the state a step expects: the current key is gone, the pending
 * version is missing at setSecret/testSecret/finishSecret, the successor does not match its predecessor after
 * repair, or the pending credential is refused.
 */
export class RotationStateError extends RotationError {
  override readonly name = 'RotationStateError';
}
