import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createDynamoState, tableNameSchema } from './dynamo-state.ts';
import { StateError } from './errors.ts';
import { createMemoryState } from './memory-state.ts';
import type { StateBackend } from './types.ts';

export interface StateFromEnvOptions {
  /** Injected DynamoDB client; a default client from the environment otherwise. */
  readonly client?: DynamoDBClient;
  /** Told once when no table is configured and the state falls back to memory. */
  readonly onWarning: (message: string) => void;
}

export const IN_MEMORY_STATE_WARNING =
  'STATE_TABLE_NAME is not set: using in-memory state. The write budget then holds only within this process ' +
  '(not across invocations, redeliveries or concurrent runs). Fine for local runs; a deployment must set it.';

/** `STATE_TABLE_NAME` set → the DynamoDB table; unset → in-memory state and a warning (local runs only). */
export function stateFromEnv(env: Readonly<Record<string, string | undefined>>, options: StateFromEnvOptions): StateBackend {
  const tableName = env['STATE_TABLE_NAME'];
  if (tableName === undefined) {
    options.onWarning(IN_MEMORY_STATE_WARNING);
    return createMemoryState();
  }
  // Set but wrong (empty, a typo'd ARN) is a deployment error, not a reason to fall back silently.
  const parsed = tableNameSchema.safeParse(tableName);
  if (!parsed.success) {
    throw new StateError(`STATE_TABLE_NAME: ${parsed.error.issues[0]?.message ?? 'is invalid'}`, {
      operation: 'configure',
      field: 'STATE_TABLE_NAME',
    });
  }
  return createDynamoState(options.client === undefined ? { tableName: parsed.data } : { tableName: parsed.data, client: options.client });
}
