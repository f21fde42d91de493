import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { createAtlasClient } from '../atlas/create-atlas-client.ts';
import type { AtlasClient, AtlasClientOptions } from '../atlas/types.ts';
import { parseAtlasSecret } from '../credentials/secret-shape.ts';
import { DEFAULT_ATLAS_BASE_URL, type ResolvedCredentials } from '../credentials/types.ts';
import type { AdminAccess, SecretLocation } from './admin-access.ts';
import { createApiKeySuccessor, testApiKeySuccessor, verifyApiKeySuccessor } from './api-key-steps.ts';
import { rotationAuditRecord, rotationFailureRecord } from './audit-record.ts';
import { ROTATION_METRICS } from './constants.ts';
import { RotationRefusedError, RotationStateError } from './errors.ts';
import { finishAgain, finishRotation } from './finish-rotation.ts';
import { SecretsStore } from './secrets-store.ts';
import { createServiceAccountSecret, testServiceAccountSecret, verifyServiceAccountSecret } from './service-account-steps.ts';
import type { StepContext, StepResult } from './step-context.ts';
import type { RotationDriver, RotationEvent, RotationTarget, StepReport } from './types.ts';

export interface RotationDeps {
  /** The SDK client (endpoint from the standard settings, e.g. `AWS_ENDPOINT_URL_SECRETS_MANAGER`). */
  readonly secretsManager: SecretsManagerClient;
  /** The worker's Org Owner access, which creates successors and tags predecessors. */
  readonly admin: AdminAccess;
  /** Builds the client that tests a pending credential. @default createAtlasClient with 3 attempts */
  readonly connect?: (resolved: ResolvedCredentials) => AtlasClient;
  /** Options for the default `connect` (tests shorten retries). */
  readonly client?: Partial<Omit<AtlasClientOptions, 'baseUrl' | 'flavor' | 'credentials'>>;
  /** @default () => new Date() */
  readonly now?: () => Date;
  /** Absolute deadline (epoch ms) for Atlas calls. */
  readonly deadline?: number;
  /** @default 'secrets-manager' */
  readonly driver?: RotationDriver;
  /** One audit record per step, failed ones included. */
  readonly onAudit?: (record: Record<string, unknown>) => void;
  /** Counters: `RotationsSucceeded` when a finishSecret moved AWSCURRENT, `RotationsFailed` for any failed step. */
  readonly stats?: { add(name: string, value?: number): void };
}

/**
 * Runs one step of a rotation of `target` (the caller has checked it is configured) and reports it, with one
 * audit record and the metrics. Every step may run any number of times: a retry finds its work done and creates
 * nothing twice, and AWSCURRENT keeps working whatever step fails. Throws a `RotationError` (or the underlying
 * Atlas / AWS error) when the step failed; nothing is half-stored in Secrets Manager.
 */
export async function runRotationStep(event: RotationEvent, target: RotationTarget, deps: RotationDeps): Promise<StepReport> {
  const started = Date.now();
  try {
    const report = await executeStep(event, target, deps, started);
    deps.onAudit?.(rotationAuditRecord(report));
    if (event.Step === 'finishSecret' && report.outcome === 'done') deps.stats?.add(ROTATION_METRICS.succeeded);
    return report;
  } catch (error) {
    deps.stats?.add(ROTATION_METRICS.failed);
    deps.onAudit?.(
      rotationFailureRecord({
        step: event.Step,
        secretId: event.SecretId,
        token: event.ClientRequestToken,
        orgId: target.orgId,
        error,
        durationMs: Date.now() - started,
      }),
    );
    throw error;
  }
}

async function executeStep(event: RotationEvent, target: RotationTarget, deps: RotationDeps, started: number): Promise<StepReport> {
  const { SecretId: secretId, ClientRequestToken: token, Step: step } = event;
  const driver = deps.driver ?? 'secrets-manager';
  const store = new SecretsStore(deps.secretsManager);
  const description = await store.describe(secretId);
  const tokenStages = description.stages[token];
  if (driver === 'secrets-manager') {
    if (!description.rotationEnabled) throw new RotationRefusedError(`rotation is not enabled for secret ${description.arn}`);
    if (tokenStages === undefined) throw new RotationRefusedError(`secret ${description.arn} has no version ${token} to rotate to`);
  }
  const currentVersion = await store.get(secretId, { stage: 'AWSCURRENT' });
  if (currentVersion === undefined) throw new RotationStateError(`secret ${description.arn} has no AWSCURRENT value to rotate`);
  const current = parseAtlasSecret(currentVersion.value, `secret:${description.arn} (AWSCURRENT)`);
  const location: SecretLocation = {
    baseUrl: new URL(current.baseUrl ?? DEFAULT_ATLAS_BASE_URL).origin,
    flavor: current.flavor ?? 'atlas',
  };
  if (current.kind === 'serviceAccount' && location.flavor === 'ops-manager') {
    throw new RotationRefusedError(`secret ${description.arn} holds a service account for Ops Manager, which has none; only API keys rotate there`);
  }
  const alreadyCurrent = tokenStages?.includes('AWSCURRENT') === true;
  if (!alreadyCurrent && driver === 'secrets-manager' && tokenStages?.includes('AWSPENDING') !== true) {
    throw new RotationRefusedError(`version ${token} of secret ${description.arn} is not staged AWSPENDING`);
  }

  const connect =
    deps.connect ??
    ((resolved: ResolvedCredentials) =>
      createAtlasClient({
        retry: { maxAttempts: 3 },
        ...deps.client,
        baseUrl: resolved.baseUrl,
        flavor: resolved.flavor,
        credentials: resolved.credentials,
      }));
  const context: StepContext = {
    event,
    target,
    store,
    description,
    admin: deps.admin,
    connect,
    now: (deps.now ?? (() => new Date()))(),
    call: deps.deadline === undefined ? {} : { deadline: deps.deadline },
    location,
    current,
    currentVersion,
    readPending: async () => {
      const version = await store.get(secretId, { versionId: token, stage: 'AWSPENDING' });
      if (version === undefined) return undefined;
      const pending = parseAtlasSecret(version.value, `secret:${description.arn} (AWSPENDING)`);
      if (pending.kind !== current.kind || (pending.baseUrl ?? DEFAULT_ATLAS_BASE_URL) !== (current.baseUrl ?? DEFAULT_ATLAS_BASE_URL)) {
        throw new RotationStateError(`the AWSPENDING version of ${description.arn} is not the same kind of credential for the same Atlas as AWSCURRENT`);
      }
      return pending;
    },
  };

  let result: StepResult;
  if (alreadyCurrent) {
    result =
      step === 'finishSecret'
        ? await finishAgain(context)
        : { outcome: 'already-done', detail: `version ${token} is already AWSCURRENT: the rotation is over`, changes: [] };
  } else {
    result = await runStep(step, context);
  }
  return {
    step,
    secretId: description.arn,
    orgId: target.orgId,
    token,
    credential: current.kind,
    flavor: location.flavor,
    ...result,
    durationMs: Date.now() - started,
  };
}

async function runStep(step: RotationEvent['Step'], context: StepContext): Promise<StepResult> {
  const { current } = context;
  switch (step) {
    case 'createSecret':
      return current.kind === 'apiKey' ? createApiKeySuccessor(context, current) : createServiceAccountSecret(context, current);
    case 'setSecret':
      return current.kind === 'apiKey' ? verifyApiKeySuccessor(context, current) : verifyServiceAccountSecret(context, current);
    case 'testSecret':
      return current.kind === 'apiKey' ? testApiKeySuccessor(context) : testServiceAccountSecret(context, current);
    case 'finishSecret':
      return finishRotation(context);
  }
}
