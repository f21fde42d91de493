import { BUDGET_RETENTION_DAYS, DAY_MS, KEY_STATE_RETENTION_DAYS } from './constants.ts';

/** `YYYY-MM-DD` of the instant, in UTC. */
export function utcDay(at: Date): string {
  return at.toISOString().slice(0, 10);
}

export function orgPartitionKey(orgId: string): string {
  return `org#${orgId}`;
}

export function budgetSortKey(at: Date): string {
  return `budget#${utcDay(at)}`;
}

export function keyStateSortKey(apiUserId: string): string {
  return `key#${apiUserId}`;
}

/** Epoch seconds: the end of the UTC day of `at`, plus the retention. */
export function budgetExpiresAt(at: Date): number {
  const dayStart = Math.floor(at.getTime() / DAY_MS) * DAY_MS;
  return (dayStart + DAY_MS * (1 + BUDGET_RETENTION_DAYS)) / 1000;
}

/** Epoch seconds: the last full read plus the retention. */
export function keyStateExpiresAt(lastFullReadMs: number): number {
  return Math.floor(lastFullReadMs / 1000) + (KEY_STATE_RETENTION_DAYS * DAY_MS) / 1000;
}
