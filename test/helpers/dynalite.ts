import { Agent } from 'node:http';
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';

interface DynaliteOptions {
  createTableMs?: number;
  deleteTableMs?: number;
  updateTableMs?: number;
}

// dynalite ships CommonJS without types.
const loadDynalite = createRequire(import.meta.url)('dynalite') as (options: DynaliteOptions) => Server;

export interface Dynalite {
  /** `http://127.0.0.1:<port>` */
  readonly endpoint: string;
  /** A table with the state contract's key schema, created at start. */
  readonly tableName: string;
  /** Points at this dynalite, dummy credentials, region us-east-1. */
  readonly client: DynamoDBClient;
  /** Every request dynalite received, as its operation name (`UpdateItem`, `BatchGetItem`, ...), in order. */
  readonly requests: readonly string[];
  /** Whether `UpdateTimeToLive` was accepted (dynalite 4 has no such operation: the TTL spec is then skipped). */
  readonly ttlEnabled: boolean;
  /** Another empty table with the contract's schema. */
  createTable(tableName: string): Promise<void>;
  close(): Promise<void>;
}

/** Creates the state table as the construct does: `pk`/`sk` strings, on-demand, TTL on `expiresAt`. */
export async function createStateTable(client: DynamoDBClient, tableName: string): Promise<{ ttlEnabled: boolean }> {
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
      ],
    }),
  );
  // createTableMs is 0, but the ACTIVE state is still only reached on a later tick: poll, boundedly.
  for (let attempt = 0; ; attempt += 1) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    if (Table?.TableStatus === 'ACTIVE') break;
    if (attempt >= 200) throw new Error(`table ${tableName} not ACTIVE after ${attempt} polls`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  try {
    await client.send(
      new UpdateTimeToLiveCommand({ TableName: tableName, TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true } }),
    );
    return { ttlEnabled: true };
  } catch (error) {
    if (error instanceof Error && error.name === 'UnknownOperationException') return { ttlEnabled: false };
    throw error;
  }
}

/** Starts an in-memory dynalite on 127.0.0.1 (a free port) with one state table. */
export async function startDynalite(options: { tableName?: string } = {}): Promise<Dynalite> {
  const server = loadDynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  const requests: string[] = [];
  server.on('request', (request) => {
    const target = String(request.headers['x-amz-target'] ?? '');
    requests.push(target.slice(target.indexOf('.') + 1));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'dynalite', secretAccessKey: 'dynalite' },
    // dynalite closes idle keep-alive sockets after 5 s; on a busy machine a request sent on one just closed fails
    // with ECONNRESET. A fresh connection per request costs little on loopback and keeps the tests deterministic.
    requestHandler: { httpAgent: new Agent({ keepAlive: false }) },
  });
  const close = async () => {
    client.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  const tableName = options.tableName ?? 'atlas-key-worker-state';
  try {
    const { ttlEnabled } = await createStateTable(client, tableName);
    return {
      endpoint,
      tableName,
      client,
      requests,
      ttlEnabled,
      createTable: async (name) => {
        await createStateTable(client, name);
      },
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
