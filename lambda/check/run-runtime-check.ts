import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { createAtlasClient } from '../atlas/index.ts';
import type { AtlasClientOptions } from '../atlas/types.ts';
import { secretsManagerSource } from '../credentials/secrets-manager-source.ts';
import type { CredentialSource } from '../credentials/types.ts';
import type { Policy } from '../policy/schema.ts';
import { credentialsResolver } from './credentials-resolver.ts';
import { parseCheckEvent } from './parse-check-event.ts';
import { runCheck } from './run-check.ts';
import { stateTargetFromEnv } from './state-target.ts';
import type { CheckReport, StateProbe } from './types.ts';

export interface RuntimeCheckOptions {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly policy: Policy;
  /** The worker's own credentials (ATLAS_SECRET_ID). */
  readonly defaultSource: CredentialSource;
  /** The runtime's state backend (durable when STATE_TABLE_NAME is set); by default the one the env selects. */
  readonly state?: StateProbe | undefined;
  readonly maxAgeSeconds: number;
  /** The runtime's injected clients: Secrets Manager, and extra Atlas client options (tests shorten retries). */
  readonly deps?: {
    readonly secretsManager?: SecretsManagerClient | undefined;
    readonly client?: Partial<Omit<AtlasClientOptions, 'baseUrl' | 'flavor' | 'credentials'>> | undefined;
  };
  /** Epoch ms: the invocation's deadline less its reserve. */
  readonly deadline?: number | undefined;
}

/**
 * `{"action":"check"}` invoked directly: the same check as the CLI, from the function's own network, role and
 * secret, so the address it vouches for is the deployed egress. Throws InputValidationError for a bad event.
 */
export function runRuntimeCheck(payload: unknown, options: RuntimeCheckOptions): Promise<CheckReport> {
  const event = parseCheckEvent(payload);
  const { secretsManager, client } = options.deps ?? {};
  const sourceForSecret = (secretId: string) =>
    secretsManagerSource({
      secretId,
      maxAgeSeconds: options.maxAgeSeconds,
      ...(secretsManager === undefined ? {} : { awsSdkV3Client: secretsManager }),
    });
  const durable = options.env['STATE_TABLE_NAME'] !== undefined;
  return runCheck({
    policy: options.policy,
    policySource: 'KEY_POLICY',
    credentialsFor: credentialsResolver({ defaultSource: options.defaultSource, sourceForSecret }),
    createClient: (target) => createAtlasClient({ retry: { maxAttempts: 3, baseDelayMs: 250, maxDelayMs: 2_000 }, ...client, ...target }),
    state: options.state === undefined ? stateTargetFromEnv(options.env) : { backend: options.state, durable },
    expectDurableState: true,
    ...(event.egressIp === undefined ? {} : { egressIp: event.egressIp }),
    ...(options.deadline === undefined ? {} : { deadline: options.deadline }),
  });
}
