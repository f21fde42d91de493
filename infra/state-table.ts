import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, Table } from 'aws-cdk-lib/aws-dynamodb';
import type { IGrantable } from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';

/** Key and TTL attribute names of the state table, fixed by the contract with the runtime. */
export const STATE_TABLE_KEYS = { partitionKey: 'pk', sortKey: 'sk', timeToLive: 'expiresAt' } as const;

/**
 * The item actions the runtime uses, and nothing else: budget reservation (`UpdateItem` with a condition),
 * next-due reads and writes (`GetItem`, `BatchGetItem`, `BatchWriteItem`, `DeleteItem`), and `DescribeTable`
 * for the `check` command. No `Scan`, `Query` or table administration.
 */
export const STATE_TABLE_ACTIONS = [
  'dynamodb:GetItem',
  'dynamodb:UpdateItem',
  'dynamodb:BatchGetItem',
  'dynamodb:BatchWriteItem',
  'dynamodb:DeleteItem',
  'dynamodb:DescribeTable',
] as const;

/**
 * The worker's one DynamoDB table: write budgets per org and UTC day, and per-key next-due items. On-demand (a
 * few hundred small writes a day), point-in-time recovery, old items expired by TTL on `expiresAt`. Retained
 * when the stack is deleted: the budget ledger is audit evidence of what the worker was allowed to do.
 */
export function createStateTable(scope: Construct, id: string): Table {
  return new Table(scope, id, {
    partitionKey: { name: STATE_TABLE_KEYS.partitionKey, type: AttributeType.STRING },
    sortKey: { name: STATE_TABLE_KEYS.sortKey, type: AttributeType.STRING },
    timeToLiveAttribute: STATE_TABLE_KEYS.timeToLive,
    billingMode: BillingMode.PAY_PER_REQUEST,
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    removalPolicy: RemovalPolicy.RETAIN,
  });
}

/** Grants `grantee` exactly `STATE_TABLE_ACTIONS` on the table. */
export function grantStateTableAccess(table: Table, grantee: IGrantable): void {
  table.grant(grantee, ...STATE_TABLE_ACTIONS);
}
