import type { Flavor } from '../atlas/types.ts';

/** The four steps Secrets Manager calls a rotation function with, in order. */
export type RotationStep = 'createSecret' | 'setSecret' | 'testSecret' | 'finishSecret';

/** The event Secrets Manager sends (`{SecretId, ClientRequestToken, Step}`). */
export interface RotationEvent {
  readonly SecretId: string;
  readonly ClientRequestToken: string;
  readonly Step: RotationStep;
}

/** One secret the worker may rotate (an entry of `ROTATION_CONFIG`, or the CLI's flags). */
export interface RotationTarget {
  /** The secret's ARN (as Secrets Manager names it in the event) or, for the CLI, its name. */
  readonly secretId: string;
  readonly orgId: string;
  /** Days the superseded credential keeps working. */
  readonly graceDays: number;
  /** Lifetime of a new service-account secret. */
  readonly secretExpiresAfterHours: number;
}

/**
 * Who drives the steps. `secrets-manager`: a rotation Secrets Manager started (the token must be a version of
 * the secret, staged AWSPENDING, and rotation must be enabled). `operator`: the CLI drives the four steps with its
 * own token, and creates the AWSPENDING version itself.
 */
export type RotationDriver = 'secrets-manager' | 'operator';

/** How a step ended. `already-done`: a retry found its work done (nothing created twice). */
export type StepOutcome = 'done' | 'already-done';

/** The credential on either side of a rotation, as it may be logged: public identifiers only. */
export type CredentialRef =
  | { readonly kind: 'apiKey'; readonly apiUserId?: string; readonly publicKey: string }
  | { readonly kind: 'serviceAccount'; readonly clientId: string; readonly secretId?: string; readonly expiresAt?: string };

/** What one step did; also the body of its audit record. Never holds a private key or a secret. */
export interface StepReport {
  readonly step: RotationStep;
  readonly secretId: string;
  readonly orgId: string;
  readonly token: string;
  readonly credential: 'apiKey' | 'serviceAccount';
  readonly flavor: Flavor;
  readonly outcome: StepOutcome;
  readonly detail: string;
  readonly predecessor?: CredentialRef;
  readonly successor?: CredentialRef;
  /** Writes made to Atlas or Secrets Manager, one line each (e.g. `POST accessList 2 entries`). */
  readonly changes: readonly string[];
  readonly durationMs: number;
}
