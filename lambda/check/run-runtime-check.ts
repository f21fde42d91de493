import { createAtlasClient } from '../atlas/index.ts';
import type { AtlasClientOptions } from '../atlas/types.ts';
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
  /** The runtime's (cached) source for an org that names its own secret. */
  readonly sourceForSecret: (secretId: string) => CredentialSource;
  /** The runtime's state backend (durable when STATE_TABLE_NAME is set); by default the one the env selects. */
  readonly state?: StateProbe | undefined;
  /** The runtime's extra Atlas client options (tests shorten retries). */
  readonly deps?: {
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
  const client = options.deps?.client;
  const durable = options.env['STATE_TABLE_NAME'] !== undefined;
  return runCheck({
    policy: options.policy,
    policySource: 'KEY_POLICY',
    credentialsFor: credentialsResolver({ defaultSource: options.defaultSource, sourceForSecret: options.sourceForSecret }),
    createClient: (target) => createAtlasClient({ retry: { maxAttempts: 3, baseDelayMs: 250, maxDelayMs: 2_000 }, ...client, ...target }),
    state: options.state === undefined ? stateTargetFromEnv(options.env) : { backend: options.state, durable },
    expectDurableState: true,
    ...(event.egressIp === undefined ? {} : { egressIp: event.egressIp }),
    ...(options.deadline === undefined ? {} : { deadline: options.deadline }),
  });
}
