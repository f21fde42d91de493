import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { AtlasClientOptions } from '../atlas/types.ts';
import type { ManagedOrg } from '../policy/schema.ts';
import type { AtlasSession } from '../worker/atlas-session.ts';
import { sessionAdminAccess } from './admin-access.ts';
import { ROTATION_METRICS } from './constants.ts';
import { parseRotationEvent } from './parse-rotation-event.ts';
import { findRotationTarget, parseRotationConfig } from './rotation-config.ts';
import { runRotationStep } from './run-rotation-step.ts';
import type { StepReport } from './types.ts';

export interface RotationHandlerOptions {
  /** `ROTATION_CONFIG` (validated here, once, at start-up; absent: every rotation event is refused). */
  readonly rotationConfig: string | undefined;
  readonly secretsManager: SecretsManagerClient;
  /** The worker's Atlas session (its credentials create the successors). */
  readonly session: AtlasSession;
  /** The policy's orgs (each one's credentials and origin). */
  readonly orgs: readonly ManagedOrg[];
  /** Where audit records go (the Logger's `info`). */
  readonly audit: (record: Record<string, unknown>) => void;
  /** The invocation's counters (read at each event: the runtime replaces them per invocation). */
  readonly stats: () => { add(name: string, value?: number): void };
  /** Options of the client that tests pending credentials. */
  readonly client?: Partial<Omit<AtlasClientOptions, 'baseUrl' | 'flavor' | 'credentials'>>;
}

/**
 * The Lambda's rotation entry: validates the event and that its secret is configured (a refusal counts as a
 * failed rotation and changes nothing), then runs the step. Throws on failure so that Secrets Manager retries
 * the step and marks the rotation failed.
 */
export function createRotationHandler(options: RotationHandlerOptions) {
  const config = parseRotationConfig(options.rotationConfig);
  const admin = sessionAdminAccess(options.session, options.orgs);
  return {
    config,
    async handle(event: unknown, deadline: number | undefined): Promise<StepReport> {
      let target: ReturnType<typeof findRotationTarget>;
      let parsed: ReturnType<typeof parseRotationEvent>;
      try {
        parsed = parseRotationEvent(event);
        target = findRotationTarget(config, parsed.SecretId);
      } catch (error) {
        options.stats().add(ROTATION_METRICS.failed);
        const secretId = (event as { SecretId?: unknown } | null)?.SecretId;
        options.audit({
          audit: true,
          kind: 'rotation',
          ...(typeof secretId === 'string' ? { secretId: secretId.slice(0, 2048) } : {}),
          outcome: 'refused',
          error: { name: (error as Error).name, message: (error as Error).message },
        });
        throw error;
      }
      return runRotationStep(parsed, target, {
        secretsManager: options.secretsManager,
        admin,
        ...(options.client === undefined ? {} : { client: options.client }),
        ...(deadline === undefined ? {} : { deadline }),
        onAudit: options.audit,
        stats: options.stats(),
      });
    },
  };
}
