import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StateError } from '../../lambda/state/errors.ts';
import { IN_MEMORY_STATE_WARNING, stateFromEnv } from '../../lambda/state/state-from-env.ts';
import { type Dynalite, startDynalite } from '../helpers/dynalite.ts';

describe('Function: stateFromEnv', () => {
  let dynalite: Dynalite;
  beforeAll(async () => {
    dynalite = await startDynalite();
  });
  afterAll(() => dynalite?.close());

  it('falls back to in-memory state and warns once when STATE_TABLE_NAME is not set', async () => {
    // Prepare
    const warnings: string[] = [];

    // Act
    const state = stateFromEnv({ OTHER: 'x' }, { onWarning: (message) => warnings.push(message) });

    // Assess
    expect(warnings).toEqual([IN_MEMORY_STATE_WARNING]);
    expect(warnings[0]).toContain('STATE_TABLE_NAME');
    expect(state.describe()).toMatch(/^in-memory/);
    await expect(state.ping()).resolves.toBeUndefined();
  });

  it('uses the DynamoDB table named by STATE_TABLE_NAME, with the injected client, without a warning', async () => {
    // Prepare
    const warnings: string[] = [];

    // Act
    const state = stateFromEnv(
      { STATE_TABLE_NAME: dynalite.tableName },
      { client: dynalite.client, onWarning: (message) => warnings.push(message) },
    );
    const from = dynalite.requests.length;
    await state.ping();
    const reservation = await state.budget.reserve({ orgId: 'org-1', at: new Date(), limit: 1, kind: 'prune' });

    // Assess
    expect(warnings).toEqual([]);
    expect(state.describe()).toBe(`DynamoDB table "${dynalite.tableName}"`);
    expect(dynalite.requests.slice(from)).toEqual(['GetItem', 'UpdateItem']);
    expect(reservation).toEqual({ granted: true, used: 1, limit: 1 });
  });

  it.each(['', 'ab', 'my table', 'arn:aws:dynamodb:us-east-1:123456789012:table/state'])(
    'fails if STATE_TABLE_NAME is set but not a table name (%j), rather than falling back to memory',
    (value) => {
      const warnings: string[] = [];
      let error: unknown;
      try {
        stateFromEnv({ STATE_TABLE_NAME: value }, { onWarning: (message) => warnings.push(message) });
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(StateError);
      expect((error as StateError).field).toBe('STATE_TABLE_NAME');
      expect((error as StateError).operation).toBe('configure');
      expect(warnings).toEqual([]);
    },
  );
});
