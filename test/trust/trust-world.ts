import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { vi } from 'vitest';
import type { Command } from '../../lambda/commands/schema.ts';
import { createRuntime, type RuntimeDependencies } from '../../lambda/runtime/create-runtime.ts';
import { messageGroupOf } from '../../lambda/runtime/enqueue-commands.ts';
import { createDynamoState } from '../../lambda/state/index.ts';
import { redactSecrets } from '../../lambda/telemetry/redact.ts';
import { startSimulator } from '../../sim/index.ts';
import type { RequestLogEntry, SeedSpec, SimAccessListEntry, SimApiKey, SimulatorOptions } from '../../sim/types.ts';
import { captureOutput } from '../helpers/capture-output.ts';
import { startDynalite } from '../helpers/dynalite.ts';
import { lambdaContext } from '../helpers/lambda-context.ts';
import { startLocalSecretsManager } from '../helpers/local-secrets-manager.ts';

/**
 * The world a trust test attacks: the simulator (real HTTP), the state table in dynalite, the worker's secret in
 * a local Secrets Manager endpoint (the real SDK client over loopback), the work and urgent lanes as SQS events
 * shaped like Lambda's, and any number of containers (`createRuntime`, the Lambda's own entry point).
 */

/** The SDK seam for the queues: continuations land here (`sqsMock.commandCalls(SendMessageBatchCommand)`). */
export const sqsMock = mockClient(SQSClient);

export const WORK_LANE_ARN = 'arn:aws:sqs:us-east-1:123456789012:atlas-key-worker-work.fifo';
export const URGENT_LANE_ARN = 'arn:aws:sqs:us-east-1:123456789012:atlas-key-worker-urgent';
const WORK_QUEUE_URL = 'https://sqs.us-east-1.amazonaws.com/123456789012/atlas-key-worker-work.fifo';
const SECRET_ID = 'atlas-key-worker/credentials';
export const DAY_MS = 86_400_000;

/** Short retries, so that a scripted failure fails in milliseconds; the same code paths as in production. */
const FAST_CLIENT = { retry: { maxAttempts: 3, baseDelayMs: 5, maxDelayMs: 20 } } as const;

export type Lane = 'work' | 'urgent';

export interface QueueMessage {
  readonly messageId: string;
  readonly body: string;
}

export interface Delivery {
  /** Message ids reported in `batchItemFailures` (SQS delivers them again). */
  readonly failed: readonly string[];
  /** Commands the invocation enqueued on the work lane (continuations). */
  readonly enqueued: readonly Command[];
  readonly records: readonly Record<string, unknown>[];
}

export interface Invocation {
  readonly result?: Record<string, unknown>;
  readonly error?: Error;
  readonly records: readonly Record<string, unknown>[];
}

export interface KeySpec {
  readonly desc?: string | null;
  /** Entries: address, days since created, days since last used (absent: never used). */
  readonly entries: readonly { readonly address: string; readonly createdDaysAgo: number; readonly lastUsedDaysAgo?: number }[];
  /** Projects the key is assigned to (GROUP_READ_ONLY). */
  readonly projects?: readonly string[];
  readonly orgId?: string;
}

let messages = 0;
/** A message on a lane: the body as SQS carries it, a fresh id. */
export function message(command: Command | Record<string, unknown> | string): QueueMessage {
  messages += 1;
  return { messageId: `msg-${messages}`, body: typeof command === 'string' ? command : JSON.stringify(command) };
}

/** An SQS event as Lambda receives it from one lane (FIFO records carry their message group). */
export function laneEvent(lane: Lane, batch: readonly QueueMessage[]): SQSEvent {
  const records = batch.map((m): SQSRecord => {
    let group = 'unparsed';
    try {
      group = messageGroupOf(JSON.parse(m.body) as Command);
    } catch {
      // Not a command: the worker rejects it; any group will do.
    }
    return {
      messageId: m.messageId,
      receiptHandle: `receipt-${m.messageId}`,
      body: m.body,
      attributes: {
        ApproximateReceiveCount: '1',
        SentTimestamp: String(Date.now()),
        SenderId: 'AIDAEXAMPLE',
        ApproximateFirstReceiveTimestamp: String(Date.now()),
        ...(lane === 'work' ? { MessageGroupId: group, MessageDeduplicationId: m.messageId } : {}),
      },
      messageAttributes: {},
      md5OfBody: '0',
      eventSource: 'aws:sqs',
      eventSourceARN: lane === 'work' ? WORK_LANE_ARN : URGENT_LANE_ARN,
      awsRegion: 'us-east-1',
    };
  });
  return { Records: records };
}

export type World = Awaited<ReturnType<typeof startWorld>>;
export type Container = ReturnType<World['container']>;

export async function startWorld(
  options: {
    seed?: SeedSpec;
    sim?: Omit<SimulatorOptions, 'seed' | 'onRequest'>;
    /**
     * Run at noon UTC today (the process's Date only; it keeps moving): the write budget is per UTC day, and a
     * test that crossed midnight would see two budgets.
     */
    noon?: boolean;
  } = {},
) {
  if (options.noon === true) {
    vi.useFakeTimers({ toFake: ['Date'], shouldAdvanceTime: true });
    vi.setSystemTime(new Date(`${new Date().toISOString().slice(0, 10)}T12:00:00Z`));
  }
  sqsMock.reset();
  sqsMock.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [] });
  const hooks = new Set<(request: { method: string; url: string }) => void>();
  const sim = await startSimulator({
    ...options.sim,
    seed: { keysPerOrg: 0, projectsPerOrg: 2, now: new Date(), ...options.seed },
    onRequest: (request) => {
      for (const hook of [...hooks]) hook(request);
    },
  });
  const dynalite = await startDynalite();
  const secrets = new Map<string, string>();
  const secretsManager = await startLocalSecretsManager(secrets);
  const worker = sim.workers[0]!;
  secrets.set(SECRET_ID, JSON.stringify({ publicKey: worker.publicKey, privateKey: worker.privateKey, baseUrl: sim.baseUrl }));
  // One capture for the whole test: containers may run at once, and their records interleave.
  const output = captureOutput();
  /** The deadline clock of every container: a test moves it forward to end an invocation's time. */
  const deadlineClock = { skewMs: 0 };
  const containers: Array<ReturnType<typeof createRuntime>> = [];
  let counter = 0;

  const stateClient = localStateClient(dynalite.endpoint);
  const state = createDynamoState({ tableName: dynalite.tableName, client: stateClient });

  /** A warm container: its own runtime (secret cache, Atlas clients), the shared table and simulator. */
  const container = (policy: Record<string, unknown>, extra: { name?: string; deps?: Partial<RuntimeDependencies>; env?: Record<string, string> } = {}) => {
    const name = extra.name ?? `container-${containers.length + 1}`;
    const runtime = createRuntime(
      {
        ATLAS_SECRET_ID: SECRET_ID,
        KEY_POLICY: JSON.stringify({ orgs: [{ orgId: worker.orgId }], ...policy }),
        WORK_QUEUE_URL,
        STATE_TABLE_NAME: dynalite.tableName,
        // The client's pacing buckets refill 100 times faster than Atlas's: these tests are about safety, not pace.
        ATLAS_RATE_LIMIT_TIME_SCALE: '100',
        ...extra.env,
      },
      {
        secretsManager: new SecretsManagerClient({
          endpoint: secretsManager.url,
          region: 'us-east-1',
          credentials: { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'local-secret' },
          maxAttempts: 1,
        }),
        sqs: new SQSClient({ region: 'us-east-1' }),
        dynamodb: stateClient,
        logger: new Logger({ serviceName: 'atlas-key-worker', persistentKeys: { container: name }, jsonReplacerFn: redactSecrets }),
        metrics: new Metrics({ serviceName: 'atlas-key-worker', namespace: 'AtlasKeyWorker', defaultDimensions: { container: name } }),
        client: FAST_CLIENT,
        clock: () => Date.now() + deadlineClock.skewMs,
        ...extra.deps,
      },
    );
    containers.push(runtime);
    // Its log records and metrics (both carry the container's name).
    const mine = () => output.records().filter((record) => record['container'] === name);
    return {
      runtime,
      name,
      /** One SQS batch from `lane`, handled by this container. */
      async deliver(batch: readonly QueueMessage[], lane: Lane = 'work', remainingMs = 120_000): Promise<Delivery> {
        const sentBefore = sqsMock.commandCalls(SendMessageBatchCommand).length;
        const seen = mine().length;
        const response = (await runtime.handle(laneEvent(lane, batch), lambdaContext(remainingMs))) as SQSBatchResponse;
        const enqueued = sqsMock
          .commandCalls(SendMessageBatchCommand)
          .slice(sentBefore)
          .flatMap((call) => call.args[0].input.Entries ?? [])
          .map((entry) => JSON.parse(entry.MessageBody ?? '{}') as Command);
        return { failed: response.batchItemFailures.map((f) => f.itemIdentifier), enqueued, records: mine().slice(seen) };
      },
      /** A direct invocation (a command, or `{"action":"check"}`). */
      async invoke(event: unknown, remainingMs = 120_000): Promise<Invocation> {
        const seen = mine().length;
        try {
          const result = (await runtime.handle(event, lambdaContext(remainingMs))) as Record<string, unknown>;
          return { result, records: mine().slice(seen) };
        } catch (error) {
          return { error: error as Error, records: mine().slice(seen) };
        }
      },
      records: mine,
    };
  };

  /** Adds a key to the worker's org (or `spec.orgId`) with the given access list and projects. */
  const addKey = (spec: KeySpec): SimApiKey => {
    counter += 1;
    const nowMs = Date.now();
    const ago = (days: number) => new Date(nowMs - days * DAY_MS).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const orgId = spec.orgId ?? worker.orgId;
    const accessList: SimAccessListEntry[] = spec.entries.map((entry) => ({
      cidrBlock: entry.address,
      ...(entry.address.includes('/') ? {} : { ipAddress: entry.address }),
      created: ago(entry.createdDaysAgo),
      ...(entry.lastUsedDaysAgo === undefined ? {} : { lastUsed: ago(entry.lastUsedDaysAgo), lastUsedAddress: entry.address.split('/')[0]!, count: 7 }),
      count: entry.lastUsedDaysAgo === undefined ? 0 : 7,
    }));
    const key: SimApiKey = {
      id: `6a${counter.toString(16).padStart(22, '0')}`,
      publicKey: publicKeyOf(counter),
      privateKey: `00000000-0000-4000-8000-${counter.toString(16).padStart(12, '0')}`,
      desc: spec.desc === undefined ? `trust-key-${counter}` : spec.desc,
      orgId,
      roles: [{ orgId, roleName: 'ORG_MEMBER' }, ...(spec.projects ?? []).map((groupId) => ({ groupId, roleName: 'GROUP_READ_ONLY' }))],
      accessList,
    };
    // A new array: the simulator's index notices the change.
    sim.state.apiKeys = [...sim.state.apiKeys, key];
    return key;
  };

  return {
    sim,
    dynalite,
    worker,
    orgId: worker.orgId,
    secretId: SECRET_ID,
    secrets,
    /** GetSecretValue calls the local Secrets Manager answered. */
    secretReads: () => secretsManager.calls.length,
    deadlineClock,
    container,
    addKey,
    /** Projects of the worker's org. */
    projects: () => sim.state.projects.filter((p) => p.orgId === worker.orgId).map((p) => p.id),
    key: (id: string) => sim.state.apiKeys.find((k) => k.id === id),
    /** Called with every request the simulator receives, before it is answered. Returns a remover. */
    onRequest(hook: (request: { method: string; url: string }) => void): () => void {
      hooks.add(hook);
      return () => hooks.delete(hook);
    },
    /** Write requests the simulator received (token requests excluded). */
    writes: (log: readonly RequestLogEntry[] = sim.requests) => log.filter((r) => r.method !== 'GET' && !r.url.startsWith('/api/oauth/')),
    /** Units of the org's write budget reserved today, read from the state table. */
    budgetUsed: (orgId: string = worker.orgId) => state.budget.usage(orgId, new Date()),
    /** Every record logged so far (all containers). */
    records: () => output.records(),
    async close(): Promise<void> {
      output.stop();
      vi.useRealTimers();
      await Promise.all(containers.map((runtime) => runtime.session.close()));
      await sim.close();
      await secretsManager.close();
      stateClient.destroy();
      await dynalite.close();
    },
  };
}

/**
 * A client of the local DynamoDB that opens a connection per request. dynalite's server closes a keep-alive
 * socket after 5 idle seconds, and a request sent on a socket it is closing fails with ECONNRESET (a race of the
 * test rig: a sweep on a busy machine easily pauses 5 s between two reservations).
 */
export function localStateClient(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'dynalite', secretAccessKey: 'dynalite' },
    requestHandler: { httpAgent: { keepAlive: false } },
  });
}

/** A distinct 8-letter public key per counter, sorting in counter order. */
export function publicKeyOf(n: number): string {
  let text = '';
  let rest = n;
  for (let i = 0; i < 8; i += 1) {
    text = String.fromCharCode(97 + (rest % 26)) + text;
    rest = Math.floor(rest / 26);
  }
  return text;
}

/** The audit records (one per action) among `records`. */
export function audits(records: readonly Record<string, unknown>[]): Record<string, unknown>[] {
  return records.filter((record) => record['message'] === 'action');
}

/** Why the delivery's failed messages failed (their failure logs' reasons): for assertion messages. */
export function reasons(delivery: Delivery): string {
  return delivery.records
    .filter((record) => record['message'] === 'queue message failed; it will be retried, then moved to the DLQ')
    .map((record) => String(record['reason']))
    .join('; ');
}

/** Sum of a metric over the EMF documents among `records`. */
export function metric(records: readonly Record<string, unknown>[], name: string): number {
  let total = 0;
  for (const record of records) {
    if (record['_aws'] === undefined) continue;
    const value = record[name];
    if (typeof value === 'number') total += value;
  }
  return total;
}

/** Request-count trigger: runs `action` once, on the `n`-th request matching `test`. Returns the remover. */
export function onNth(world: World, n: number, test: (request: { method: string; url: string }) => boolean, action: () => void): () => void {
  let seen = 0;
  const remove = world.onRequest((request) => {
    if (!test(request)) return;
    seen += 1;
    if (seen === n) {
      remove();
      action();
    }
  });
  return remove;
}

/** DELETE requests the simulator answered with success. */
export function successfulDeletes(log: readonly RequestLogEntry[]): RequestLogEntry[] {
  return log.filter((r) => r.method === 'DELETE' && (r.status === 204 || r.status === 200));
}
