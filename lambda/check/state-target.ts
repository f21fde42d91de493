import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { stateFromEnv } from '../state/index.ts';
import type { CheckStateTarget, StateProbe } from './types.ts';

/**
 * The state the worker would use with this environment. A `STATE_TABLE_NAME` that is set but invalid is not
 * thrown: it becomes a state check that fails with the reason.
 */
export function stateTargetFromEnv(env: Readonly<Record<string, string | undefined>>, client?: DynamoDBClient): CheckStateTarget {
  const durable = env['STATE_TABLE_NAME'] !== undefined;
  try {
    const backend = stateFromEnv(env, { onWarning: () => undefined, ...(client === undefined ? {} : { client }) });
    return { backend, durable };
  } catch (error) {
    const broken: StateProbe = { describe: () => 'STATE_TABLE_NAME', ping: () => Promise.reject(error) };
    return { backend: broken, durable: true };
  }
}
