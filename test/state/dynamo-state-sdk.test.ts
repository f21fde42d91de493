import {
  BatchGetItemCommand,
  BatchWriteItemCommand,
  ConditionalCheckFailedException,
  DynamoDBClient,
  GetItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { createDynamoState } from '../../lambda/state/dynamo-state.ts';
import { StateError } from '../../lambda/state/errors.ts';
import { keyState } from './state-contract.ts';

// What dynalite cannot show: DynamoDB's own answers (an item with a refusal, unprocessed batch parts, errors
// that quote request signatures). Scripted at the SDK seam.

const ORG = '5f1a2b3c4d5e6f7a8b9c0d1e';
const client = new DynamoDBClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
const mock = mockClient(client);
afterEach(() => mock.reset());

function stateWithRecordedSleeps() {
  const sleeps: number[] = [];
  const state = createDynamoState({
    tableName: 'state-table',
    client,
    batchRetry: { maxAttempts: 3, baseDelayMs: 100, maxDelayMs: 1_000 },
    sleep: async (ms) => {
      sleeps.push(ms);
    },
  });
  return { state, sleeps };
}

describe('Function: createDynamoState (scripted SDK answers)', () => {
  describe('Method: budget.reserve', () => {
    it('reads `used` from the item DynamoDB returns with a refusal: one request, no GetItem', async () => {
      // Prepare
      mock.on(UpdateItemCommand).rejects(
        new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {}, Item: { used: { N: '7' } } }),
      );
      const { state } = stateWithRecordedSleeps();

      // Act
      const result = await state.budget.reserve({ orgId: ORG, at: new Date('2024-03-01T00:00:00Z'), limit: 7, kind: 'prune' });

      // Assess
      expect(result).toEqual({ granted: false, used: 7, limit: 7 });
      expect(mock.commandCalls(UpdateItemCommand)).toHaveLength(1);
      expect(mock.commandCalls(GetItemCommand)).toHaveLength(0);
      const input = mock.commandCalls(UpdateItemCommand)[0]!.args[0].input;
      expect(input.ConditionExpression).toBe('attribute_not_exists(#used) OR #used < :limit');
      expect(input.ReturnValuesOnConditionCheckFailure).toBe('ALL_OLD');
    });

    it('sends a mandatory reservation without a condition', async () => {
      // Prepare
      mock.on(UpdateItemCommand).resolves({ Attributes: { used: { N: '51' } } });
      const { state } = stateWithRecordedSleeps();

      // Act
      const result = await state.budget.reserve({ orgId: ORG, at: new Date(), limit: 50, kind: 'revokeKey', mandatory: true });

      // Assess
      expect(result).toEqual({ granted: true, used: 51, limit: 50 });
      const input = mock.commandCalls(UpdateItemCommand)[0]!.args[0].input;
      expect(input.ConditionExpression).toBeUndefined();
      expect(Object.keys(input.ExpressionAttributeValues ?? {})).not.toContain(':limit');
    });

    it('keeps credentials out of the StateError when an SDK error quotes the signed request', async () => {
      // Prepare
      const leaky = new Error(
        'The request signature we calculated does not match. Authorization: AWS4-HMAC-SHA256 ' +
          'Credential=AKIAIOSFODNN7EXAMPLE/20240301/us-east-1/dynamodb/aws4_request, SignedHeaders=host, ' +
          'Signature=fe5f80f77d5fa3beca038a248ff027d0445342fe2855ddc963176630326f1024 ' +
          'X-Amz-Security-Token=FwoGZXIvYXdzEJr secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"',
      );
      leaky.name = 'InvalidSignatureException';
      mock.on(UpdateItemCommand).rejects(leaky);
      const { state } = stateWithRecordedSleeps();

      // Act
      const error = await state.budget.reserve({ orgId: ORG, at: new Date(), limit: 5, kind: 'prune' }).catch((e: unknown) => e);

      // Assess
      expect(error).toBeInstanceOf(StateError);
      const cause = (error as StateError).cause as Error;
      const everything = [
        String(error),
        JSON.stringify(error),
        (error as StateError).stack ?? '',
        cause.message,
        cause.stack ?? '',
        JSON.stringify(cause),
      ].join('\n');
      for (const secret of ['AKIAIOSFODNN7EXAMPLE', 'fe5f80f77d5fa3beca038a248ff027d0445342fe', 'FwoGZXIvYXdzEJr', 'wJalrXUtnFEMI']) {
        expect(everything).not.toContain(secret);
      }
      expect((error as StateError).message).toContain('InvalidSignatureException');
      expect(cause.name).toBe('InvalidSignatureException');
    });
  });

  describe('Method: keys.get', () => {
    it('asks again for exactly the keys DynamoDB left unprocessed, after a back-off', async () => {
      // Prepare: the first answer returns 60 of 100 keys and leaves 40 unprocessed
      const states = Array.from({ length: 100 }, (_, i) => keyState(i));
      const item = (s: (typeof states)[number]) => ({
        pk: { S: `org#${ORG}` },
        sk: { S: `key#${s.apiUserId}` },
        apiUserId: { S: s.apiUserId },
        publicKey: { S: s.publicKey },
        descDigest: { S: s.descDigest },
        rolesDigest: { S: s.rolesDigest },
        policyDigest: { S: s.policyDigest },
        nextDueMs: s.nextDueMs === null ? { NULL: true } : { N: String(s.nextDueMs) },
        lastFullReadMs: { N: String(s.lastFullReadMs) },
      });
      const key = (s: (typeof states)[number]) => ({ pk: { S: `org#${ORG}` }, sk: { S: `key#${s.apiUserId}` } });
      mock
        .on(BatchGetItemCommand)
        .resolvesOnce({
          Responses: { 'state-table': states.slice(0, 60).map(item) },
          UnprocessedKeys: { 'state-table': { Keys: states.slice(60).map(key) } },
        })
        .resolvesOnce({ Responses: { 'state-table': states.slice(60).map(item) } });
      const { state, sleeps } = stateWithRecordedSleeps();

      // Act
      const found = await state.keys.get(
        ORG,
        states.map((s) => s.apiUserId),
      );

      // Assess
      const calls = mock.commandCalls(BatchGetItemCommand);
      expect(calls).toHaveLength(2);
      expect(calls[1]!.args[0].input.RequestItems?.['state-table']?.Keys).toEqual(states.slice(60).map(key));
      expect(sleeps).toHaveLength(1);
      expect(sleeps[0]).toBeLessThan(100);
      expect(found.size).toBe(100);
      expect(found.get(states[99]!.apiUserId)).toEqual(states[99]);
    });
  });

  describe('Method: keys.put', () => {
    it('retries unprocessed items and fails with a StateError once maxAttempts requests left some unprocessed', async () => {
      // Prepare: DynamoDB keeps refusing one item
      const states = Array.from({ length: 25 }, (_, i) => keyState(i));
      mock.on(BatchWriteItemCommand).callsFake((input: { RequestItems: Record<string, unknown[]> }) => ({
        UnprocessedItems: { 'state-table': input.RequestItems['state-table']!.slice(0, 1) },
      }));
      const { state, sleeps } = stateWithRecordedSleeps();

      // Act
      const error = await state.keys.put(ORG, states).catch((e: unknown) => e);

      // Assess
      expect(error).toBeInstanceOf(StateError);
      expect((error as StateError).operation).toBe('put-key-states');
      expect((error as StateError).message).toMatch(/1 item\(s\) still unprocessed after 3 requests/);
      const calls = mock.commandCalls(BatchWriteItemCommand);
      expect(calls.map((c) => c.args[0].input.RequestItems?.['state-table']?.length)).toEqual([25, 1, 1]);
      // Back-off ceilings 100 then 200 ms (full jitter: anywhere below)
      expect(sleeps).toHaveLength(2);
      expect(sleeps[0]).toBeLessThan(100);
      expect(sleeps[1]).toBeLessThan(200);
    });

    it('finishes when the retry takes the rest', async () => {
      // Prepare
      const states = Array.from({ length: 30 }, (_, i) => keyState(i));
      mock
        .on(BatchWriteItemCommand)
        .callsFakeOnce((input: { RequestItems: Record<string, unknown[]> }) => ({
          UnprocessedItems: { 'state-table': input.RequestItems['state-table']!.slice(20) },
        }))
        .resolves({});
      const { state } = stateWithRecordedSleeps();

      // Act
      await state.keys.put(ORG, states);

      // Assess: chunk 1 (25) → 5 left → retried; chunk 2 (5)
      const sizes = mock.commandCalls(BatchWriteItemCommand).map((c) => c.args[0].input.RequestItems?.['state-table']?.length);
      expect(sizes).toEqual([25, 5, 5]);
    });
  });
});
