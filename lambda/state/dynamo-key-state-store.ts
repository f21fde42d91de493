import {
  type AttributeValue,
  BatchGetItemCommand,
  BatchWriteItemCommand,
  type DynamoDBClient,
  type WriteRequest,
} from '@aws-sdk/client-dynamodb';
import { chunk } from './chunk.ts';
import { BATCH_GET_MAX_KEYS, BATCH_WRITE_MAX_ITEMS } from './constants.ts';
import { dynamoFailure } from './dynamo-errors.ts';
import type { StateOperation } from './errors.ts';
import { lastStatePerId, parseIds, parseKeyStates, parseOrgId, uniqueIds } from './inputs.ts';
import { itemToKeyState, keyStateKey, keyStateToItem } from './key-state-item.ts';
import { type RetryUnprocessedOptions, retryUnprocessed } from './retry-unprocessed.ts';
import type { KeyState, KeyStateStore } from './types.ts';

type Item = Record<string, AttributeValue>;

/**
 * Key states in DynamoDB: BatchGetItem in chunks of 100 keys, BatchWriteItem in chunks of 25, each chunk's
 * unprocessed part retried with back-off. Reads are eventually consistent: a stale next-due can only cost an
 * extra read or delay an action, never cause one (every write is planned from a fresh read).
 */
export function createDynamoKeyStateStore(
  client: DynamoDBClient,
  tableName: string,
  retry: Omit<RetryUnprocessedOptions, 'operation'> = {},
): KeyStateStore {
  const writeAll = async (operation: StateOperation, requests: WriteRequest[]) => {
    for (const part of chunk(requests, BATCH_WRITE_MAX_ITEMS)) {
      await retryUnprocessed(
        part,
        async (items) => {
          const output = await client.send(new BatchWriteItemCommand({ RequestItems: { [tableName]: [...items] } }));
          return output.UnprocessedItems?.[tableName] ?? [];
        },
        { ...retry, operation },
      );
    }
  };

  return {
    async get(orgId: string, apiUserIds: readonly string[]): Promise<Map<string, KeyState>> {
      const org = parseOrgId(orgId, 'get-key-states');
      const ids = uniqueIds(parseIds(apiUserIds, 'get-key-states'));
      const requested = new Set(ids);
      const found = new Map<string, KeyState>();
      try {
        // The chunks are independent reads: all at once (a sweep waits on this before reading a page's keys).
        await Promise.all(
          chunk(ids, BATCH_GET_MAX_KEYS).map((part) =>
            retryUnprocessed<Item>(
            part.map((id) => keyStateKey(org, id)),
            async (keys) => {
              const output = await client.send(new BatchGetItemCommand({ RequestItems: { [tableName]: { Keys: [...keys] } } }));
              for (const item of output.Responses?.[tableName] ?? []) {
                const state = itemToKeyState(item);
                if (state !== undefined && requested.has(state.apiUserId)) found.set(state.apiUserId, state);
              }
              return output.UnprocessedKeys?.[tableName]?.Keys ?? [];
            },
            { ...retry, operation: 'get-key-states' },
            ),
          ),
        );
      } catch (error) {
        throw dynamoFailure('get-key-states', tableName, error);
      }
      return found;
    },

    async put(orgId: string, states: readonly KeyState[]): Promise<void> {
      const org = parseOrgId(orgId, 'put-key-states');
      const latest = lastStatePerId(parseKeyStates(states, 'put-key-states'));
      try {
        await writeAll(
          'put-key-states',
          latest.map((state) => ({ PutRequest: { Item: keyStateToItem(org, state) } })),
        );
      } catch (error) {
        throw dynamoFailure('put-key-states', tableName, error);
      }
    },

    async delete(orgId: string, apiUserIds: readonly string[]): Promise<void> {
      const org = parseOrgId(orgId, 'delete-key-states');
      const ids = uniqueIds(parseIds(apiUserIds, 'delete-key-states'));
      try {
        await writeAll(
          'delete-key-states',
          ids.map((id) => ({ DeleteRequest: { Key: keyStateKey(org, id) } })),
        );
      } catch (error) {
        throw dynamoFailure('delete-key-states', tableName, error);
      }
    },
  };
}
