import type { WorkerTarget } from './types.ts';
import { policyFor } from './scenario.ts';

/** The environment the handler reads at load: the policy and the Atlas CLI credential variables. */
export function workerEnv(target: WorkerTarget, timeScale: number, policy: Readonly<Record<string, unknown>> = {}): Record<string, string> {
  return {
    KEY_POLICY: JSON.stringify(policyFor(target.orgId, policy)),
    MONGODB_ATLAS_PUBLIC_API_KEY: target.publicKey,
    MONGODB_ATLAS_PRIVATE_API_KEY: target.privateKey,
    MONGODB_ATLAS_BASE_URL: target.baseUrl,
    ATLAS_RATE_LIMIT_TIME_SCALE: String(timeScale),
    POWERTOOLS_SERVICE_NAME: 'atlas-key-worker',
    POWERTOOLS_LOG_LEVEL: 'INFO',
  };
}
