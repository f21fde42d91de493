import type { AtlasClient, CallOptions } from '../atlas/types.ts';
import type { AtlasSecretValue } from '../credentials/secret-shape.ts';
import type { ResolvedCredentials } from '../credentials/types.ts';
import type { AdminAccess, SecretLocation } from './admin-access.ts';
import type { SecretDescription, SecretsStore, SecretVersion } from './secrets-store.ts';
import type { CredentialRef, RotationEvent, RotationTarget, StepOutcome } from './types.ts';

/** Everything one step works with, read once at its start. */
export interface StepContext {
  readonly event: RotationEvent;
  readonly target: RotationTarget;
  readonly store: SecretsStore;
  readonly description: SecretDescription;
  readonly admin: AdminAccess;
  /** A client for a credential under test (closed by the caller). */
  readonly connect: (resolved: ResolvedCredentials) => AtlasClient;
  readonly now: Date;
  readonly call: CallOptions;
  readonly location: SecretLocation;
  readonly current: AtlasSecretValue;
  readonly currentVersion: SecretVersion;
  /** Reads the AWSPENDING version of this rotation's token, parsed (re-read inside operations that may repeat). */
  readonly readPending: () => Promise<AtlasSecretValue | undefined>;
}

/** What a step did, before the common fields of its report are added. */
export interface StepResult {
  readonly outcome: StepOutcome;
  readonly detail: string;
  readonly predecessor?: CredentialRef;
  readonly successor?: CredentialRef;
  readonly changes: readonly string[];
}
