import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { PARTITION_KEY, SORT_KEY } from './constants.ts';
import { budgetSortKey, orgPartitionKey } from './item-keys.ts';

/** The budget item's attribute holding the day's count, and the prefix of the per-kind counts beside it. */
export const USED_ATTRIBUTE = 'used';
export const KIND_COUNT_PREFIX = 'count#';

export function budgetKey(orgId: string, at: Date): Record<string, AttributeValue> {
  return { [PARTITION_KEY]: { S: orgPartitionKey(orgId) }, [SORT_KEY]: { S: budgetSortKey(at) } };
}

/** The `used` count in an item (or in the `Item` of a failed condition check), 0 when absent. */
export function readUsed(item: Record<string, AttributeValue> | undefined): number {
  const value = item?.[USED_ATTRIBUTE];
  if (value === undefined || !('N' in value) || value.N === undefined) return 0;
  const used = Number(value.N);
  return Number.isFinite(used) ? used : 0;
}
