import { GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDynamoState } from '../../lambda/state/dynamo-state.ts';
import { StateError } from '../../lambda/state/errors.ts';
import { type Dynalite, startDynalite } from '../helpers/dynalite.ts';
import { describeStateContract, keyState } from './state-contract.ts';

const ORG = '5f1a2b3c4d5e6f7a8b9c0d1e';

let dynalite: Dynalite;
let tables = 0;

beforeAll(async () => {
  dynalite = await startDynalite();
});
afterAll(() => dynalite?.close());

/** A fresh table per test: the contract expects an empty state. */
async function freshState() {
  tables += 1;
  const tableName = `state-${tables}`;
  await dynalite.createTable(tableName);
  return { tableName, state: createDynamoState({ tableName, client: dynalite.client }) };
}

describeStateContract('DynamoDB on dynalite', async () => (await freshState()).state);

describe('Function: createDynamoState (on dynalite)', () => {
  /** The operations dynalite receives while `act` runs. */
  async function requestsDuring(act: () => Promise<unknown>): Promise<string[]> {
    const from = dynalite.requests.length;
    await act();
    return dynalite.requests.slice(from);
  }

  it('sends exactly one UpdateItem per granted reservation, and nothing else', async () => {
    // Prepare
    const { state } = await freshState();
    const at = new Date('2024-03-01T12:00:00Z');

    // Act
    const sent = await requestsDuring(async () => {
      for (let i = 0; i < 10; i += 1) await state.budget.reserve({ orgId: ORG, at, limit: 10, kind: 'deleteOrgKey' });
    });

    // Assess
    expect(sent).toEqual(Array.from({ length: 10 }, () => 'UpdateItem'));
  });

  it('writes the budget item with the contract key, the count per kind and a TTL 8 days after the day ends', async () => {
    // Prepare
    const { state, tableName } = await freshState();
    const at = new Date('2024-03-01T23:00:00Z');

    // Act
    await state.budget.reserve({ orgId: ORG, at, limit: 5, kind: 'deleteOrgKey' });
    await state.budget.reserve({ orgId: ORG, at, limit: 5, kind: 'deleteOrgKey' });
    await state.budget.reserve({ orgId: ORG, at, limit: 5, kind: 'revokeKey', mandatory: true });
    const { Item } = await dynalite.client.send(
      new GetItemCommand({ TableName: tableName, Key: { pk: { S: `org#${ORG}` }, sk: { S: 'budget#2024-03-01' } } }),
    );

    // Assess
    expect(Item).toEqual({
      pk: { S: `org#${ORG}` },
      sk: { S: 'budget#2024-03-01' },
      orgId: { S: ORG },
      day: { S: '2024-03-01' },
      used: { N: '3' },
      'count#deleteOrgKey': { N: '2' },
      'count#revokeKey': { N: '1' },
      expiresAt: { N: String(Date.UTC(2024, 2, 10) / 1000) },
    });
  });

  it('writes key states with the contract key and a TTL 60 days after the last full read', async () => {
    // Prepare
    const { state, tableName } = await freshState();
    const s = keyState(4, { lastFullReadMs: Date.UTC(2024, 0, 1, 6) });

    // Act
    await state.keys.put(ORG, [s]);
    const { Item } = await dynalite.client.send(
      new GetItemCommand({ TableName: tableName, Key: { pk: { S: `org#${ORG}` }, sk: { S: `key#${s.apiUserId}` } } }),
    );

    // Assess
    expect(Item?.['expiresAt']).toEqual({ N: String(Date.UTC(2024, 0, 1, 6) / 1000 + 60 * 86_400) });
    expect(Item?.['publicKey']).toEqual({ S: s.publicKey });
  });

  it('batches key states: 100 keys per BatchGetItem, 25 items per BatchWriteItem, no request for nothing', async () => {
    // Prepare
    const { state } = await freshState();
    const states = Array.from({ length: 250 }, (_, i) => keyState(i));
    const ids = states.map((s) => s.apiUserId);

    // Act
    const put = await requestsDuring(() => state.keys.put(ORG, states));
    const get = await requestsDuring(() => state.keys.get(ORG, [...ids, ...ids]));
    const del = await requestsDuring(() => state.keys.delete(ORG, ids.slice(0, 130)));
    const none = await requestsDuring(async () => {
      await state.keys.get(ORG, []);
      await state.keys.put(ORG, []);
      await state.keys.delete(ORG, []);
    });

    // Assess
    expect(put).toEqual(Array.from({ length: 10 }, () => 'BatchWriteItem'));
    expect(get).toEqual(['BatchGetItem', 'BatchGetItem', 'BatchGetItem']);
    expect(del).toEqual(Array.from({ length: 6 }, () => 'BatchWriteItem'));
    expect(none).toEqual([]);
  });

  it('treats an item it did not write (edited by hand) as no state: the key is read in full again', async () => {
    // Prepare
    const { state, tableName } = await freshState();
    const good = keyState(1);
    const edited = keyState(2);
    await state.keys.put(ORG, [good, edited]);
    await dynalite.client.send(
      new PutItemCommand({
        TableName: tableName,
        Item: { pk: { S: `org#${ORG}` }, sk: { S: `key#${edited.apiUserId}` }, apiUserId: { S: edited.apiUserId }, nextDueMs: { S: 'soon' } },
      }),
    );

    // Act
    const found = await state.keys.get(ORG, [good.apiUserId, edited.apiUserId]);

    // Assess
    expect([...found.keys()]).toEqual([good.apiUserId]);
  });

  it('fails with a StateError naming the operation and table when the table does not exist, granting nothing', async () => {
    // Prepare
    const state = createDynamoState({ tableName: 'no-such-table', client: dynalite.client });

    // Act
    const reserve = await state.budget.reserve({ orgId: ORG, at: new Date(), limit: 5, kind: 'prune' }).catch((e: unknown) => e);
    const ping = await state.ping().catch((e: unknown) => e);
    const get = await state.keys.get(ORG, ['a1']).catch((e: unknown) => e);

    // Assess
    expect(reserve).toBeInstanceOf(StateError);
    expect((reserve as StateError).operation).toBe('reserve');
    expect((reserve as StateError).message).toContain('"no-such-table"');
    expect((reserve as StateError).cause).toMatchObject({ name: 'ResourceNotFoundException' });
    expect(ping).toBeInstanceOf(StateError);
    expect((ping as StateError).operation).toBe('ping');
    expect(get).toBeInstanceOf(StateError);
    expect((get as StateError).operation).toBe('get-key-states');
  });

  it('pings with one GetItem', async () => {
    const { state } = await freshState();
    expect(await requestsDuring(() => state.ping())).toEqual(['GetItem']);
    expect(state.describe()).toMatch(/^DynamoDB table "state-\d+"$/);
  });

  it('starts dynalite with the contract table (TTL spec skipped: dynalite has no UpdateTimeToLive)', () => {
    expect(dynalite.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(dynalite.ttlEnabled).toBe(false);
  });

  it('rejects a bad table name or retry setting with a StateError naming the field', () => {
    expect(() => createDynamoState({ tableName: 'ab', client: dynalite.client })).toThrow(
      expect.objectContaining({ name: 'StateError', field: 'tableName', operation: 'configure' }),
    );
    expect(() => createDynamoState({ tableName: 'abc', client: dynalite.client, batchRetry: { maxAttempts: 0 } })).toThrow(
      expect.objectContaining({ field: 'batchRetry.maxAttempts' }),
    );
  });
});
