import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import * as z from 'zod';
import { PARTITION_KEY, SORT_KEY } from './constants.ts';
import { createDynamoKeyStateStore } from './dynamo-key-state-store.ts';
import { dynamoFailure } from './dynamo-errors.ts';
import { StateError } from './errors.ts';
import { createDynamoWriteBudget } from './dynamo-write-budget.ts';
import type { BatchRetrySettings, StateBackend } from './types.ts';

/** DynamoDB's rule for table names. */
export const tableNameSchema = z.string().regex(/^[A-Za-z0-9_.-]{3,255}$/, {
  message: 'must be a DynamoDB table name: 3-255 letters, digits, _ . or -',
});

const retrySchema = z.object({
  maxAttempts: z.number().int().min(1).max(20).optional(),
  baseDelayMs: z.number().min(0).max(60_000).optional(),
  maxDelayMs: z.number().min(0).max(60_000).optional(),
});

export interface DynamoStateOptions {
  /** The state table (key `pk`/`sk`, TTL attribute `expiresAt`). */
  readonly tableName: string;
  /** Injected client (tests, a shared client); a default client from the environment otherwise. */
  readonly client?: DynamoDBClient;
  /** Back-off for unprocessed batch items. */
  readonly batchRetry?: BatchRetrySettings;
  /** Injected for tests: waits between retries of unprocessed batch items. */
  readonly sleep?: (ms: number) => Promise<void>;
}

/** State in a DynamoDB table shared by every invocation: what the Lambda uses. */
export function createDynamoState(options: DynamoStateOptions): StateBackend {
  const name = tableNameSchema.safeParse(options.tableName);
  if (!name.success) {
    throw new StateError(`tableName: ${name.error.issues[0]?.message ?? 'is invalid'}`, { operation: 'configure', field: 'tableName' });
  }
  const retry = retrySchema.safeParse(options.batchRetry ?? {});
  if (!retry.success) {
    const field = ['batchRetry', ...(retry.error.issues[0]?.path ?? []).map(String)].join('.');
    throw new StateError(`${field}: ${retry.error.issues[0]?.message ?? 'is invalid'}`, { operation: 'configure', field });
  }
  const tableName = name.data;
  const client = options.client ?? new DynamoDBClient({});
  const settings: BatchRetrySettings = Object.fromEntries(Object.entries(retry.data).filter(([, v]) => v !== undefined));

  return {
    budget: createDynamoWriteBudget(client, tableName),
    keys: createDynamoKeyStateStore(client, tableName, { settings, sleep: options.sleep }),
    describe: () => `DynamoDB table "${tableName}"`,
    // One GetItem of a key that never exists: needs only the permission the worker has anyway, and fails on a
    // missing table, a wrong key schema, missing permissions or no route to DynamoDB.
    async ping(): Promise<void> {
      try {
        await client.send(
          new GetItemCommand({
            TableName: tableName,
            Key: { [PARTITION_KEY]: { S: 'ping' }, [SORT_KEY]: { S: 'ping' } },
            ProjectionExpression: '#pk',
            ExpressionAttributeNames: { '#pk': PARTITION_KEY },
          }),
        );
      } catch (error) {
        throw dynamoFailure('ping', tableName, error);
      }
    },
  };
}
