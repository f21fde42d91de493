/** The table's key and TTL attributes (the contract fixed by the lead). */
export const PARTITION_KEY = 'pk';
export const SORT_KEY = 'sk';
export const TTL_ATTRIBUTE = 'expiresAt';

/** A budget item expires this many days after its UTC day ends: a week of history for operators, then gone. */
export const BUDGET_RETENTION_DAYS = 8;
/** A key-state item expires this long after its last full read; a key unseen that long is long gone. */
export const KEY_STATE_RETENTION_DAYS = 60;

/** DynamoDB's limits per BatchGetItem and per BatchWriteItem. */
export const BATCH_GET_MAX_KEYS = 100;
export const BATCH_WRITE_MAX_ITEMS = 25;

export const DEFAULT_BATCH_RETRY = { maxAttempts: 8, baseDelayMs: 50, maxDelayMs: 2_000 } as const;

export const DAY_MS = 86_400_000;
