import { type AttributeValue, type DynamoDBClient, GetItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { budgetKey, KIND_COUNT_PREFIX, readUsed, USED_ATTRIBUTE } from './budget-item.ts';
import { TTL_ATTRIBUTE } from './constants.ts';
import { dynamoFailure, isConditionalCheckFailed } from './dynamo-errors.ts';
import { parseDate, parseOrgId, parseReserveRequest } from './inputs.ts';
import { budgetExpiresAt, utcDay } from './item-keys.ts';
import type { Reservation, ReserveRequest, WriteBudget } from './types.ts';

/**
 * The write budget in DynamoDB: one item per org and UTC day, one conditional `UpdateItem` per reservation. The
 * condition and the increment are one atomic step on the server, so concurrent invocations, redeliveries and
 * re-runs all draw from the same count and none can overshoot it.
 */
export function createDynamoWriteBudget(client: DynamoDBClient, tableName: string): WriteBudget {
  const currentUsage = async (orgId: string, at: Date): Promise<number> => {
    const output = await client.send(
      new GetItemCommand({
        TableName: tableName,
        Key: budgetKey(orgId, at),
        ConsistentRead: true,
        ProjectionExpression: '#used',
        ExpressionAttributeNames: { '#used': USED_ATTRIBUTE },
      }),
    );
    return readUsed(output.Item);
  };

  return {
    async reserve(request: ReserveRequest): Promise<Reservation> {
      const { orgId, at, limit, kind, mandatory } = parseReserveRequest(request);
      // A missing item means 0 used: granted when the limit is at least 1. With limit 0 the item must exist.
      const condition =
        mandatory === true ? undefined : limit > 0 ? 'attribute_not_exists(#used) OR #used < :limit' : '#used < :limit';
      const values: Record<string, AttributeValue> = {
        ':one': { N: '1' },
        ':exp': { N: String(budgetExpiresAt(at)) },
        ':org': { S: orgId },
        ':day': { S: utcDay(at) },
      };
      if (condition !== undefined) values[':limit'] = { N: String(limit) };
      try {
        const output = await client.send(
          new UpdateItemCommand({
            TableName: tableName,
            Key: budgetKey(orgId, at),
            UpdateExpression: 'SET #exp = :exp, #org = :org, #day = :day ADD #used :one, #kind :one',
            ConditionExpression: condition,
            ExpressionAttributeNames: {
              '#exp': TTL_ATTRIBUTE,
              '#org': 'orgId',
              '#day': 'day',
              '#used': USED_ATTRIBUTE,
              '#kind': `${KIND_COUNT_PREFIX}${kind}`,
            },
            ExpressionAttributeValues: values,
            ReturnValues: 'UPDATED_NEW',
            // DynamoDB then returns the item with the refusal: no second request to learn `used`.
            ReturnValuesOnConditionCheckFailure: condition === undefined ? undefined : 'ALL_OLD',
          }),
        );
        return { granted: true, used: readUsed(output.Attributes), limit };
      } catch (error) {
        if (!isConditionalCheckFailed(error)) throw dynamoFailure('reserve', tableName, error);
        const item = error.Item as Record<string, AttributeValue> | undefined;
        if (item !== undefined) return { granted: false, used: readUsed(item), limit };
        // No item in the refusal: limit 0 on a fresh day, or an emulator that ignores
        // ReturnValuesOnConditionCheckFailure (dynalite). The refusal stands either way; the read only informs
        // `used`, and if it fails, `limit` is a true lower bound.
        const used = await currentUsage(orgId, at).catch(() => limit);
        return { granted: false, used, limit };
      }
    },

    async usage(orgId: string, at: Date): Promise<number> {
      const org = parseOrgId(orgId, 'usage');
      const day = parseDate(at, 'usage');
      try {
        return await currentUsage(org, day);
      } catch (error) {
        throw dynamoFailure('usage', tableName, error);
      }
    },
  };
}
