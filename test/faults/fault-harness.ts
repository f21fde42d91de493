import { DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import type { Command } from '../../lambda/commands/schema.ts';
import { createRuntime } from '../../lambda/runtime/create-runtime.ts';
import { messageGroupOf } from '../../lambda/runtime/enqueue-commands.ts';
import { createDynamoState } from '../../lambda/state/index.ts';
import { METRIC_NAMES } from '../../lambda/telemetry/metric-names.ts';
import { redactSecrets } from '../../lambda/telemetry/redact.ts';
import { parseAccessListEntry } from '../../lambda/validation/access-list-entry.ts';
import { startSimulator } from '../../sim/index.ts';
import type { FaultRule, RequestLogEntry, SeedSpec, SimApiKey, Simulator, SimulatorOptions } from '../../sim/types.ts';
import { type Dynalite, startDynalite } from '../helpers/dynalite.ts';
import { lambdaContext } from '../helpers/lambda-context.ts';
import { captureShared as captureOutput } from './shared-capture.ts';

export const secretsMock = mockClient(SecretsManagerClient);
export const sqsMock = mockClient(SQSClient);
/** The work lane: SQS FIFO, one message group per org. */
export const QUEUE_URL = 'https://sqs.us-east-1.amazonaws.com/123456789012/atlas-key-worker-work.fifo';
export const WORK_LANE_ARN = 'arn:aws:sqs:us-east-1:123456789012:atlas-key-worker-work.fifo';
const SECRET_ID = 'atlas-key-worker/credentials';
const DAY_MS = 86_400_000;
/** The write budget of the classic rows: far above what a run plans, so only the new rows' budgets bind. */
export const DEFAULT_BUDGET = 200;

/** Short retries and timeouts so that a case runs in seconds; the same code paths as in production. */
export const FAST_CLIENT = {
  retry: { maxAttempts: 4, baseDelayMs: 5, maxDelayMs: 40 },
  timeouts: { connectMs: 500, headersMs: 400, bodyMs: 400 },
} as const;

/** What a case may change in the simulator: deletions, project unassignments, access-list prunes. */
export interface Intended {
  readonly deletes: Set<string>;
  /** `apiUserId|groupId` */
  readonly unassigns: Set<string>;
  /** `apiUserId|entry` (normalised) */
  readonly prunes: Set<string>;
  /** Keys a `revokeKey` may strip of every project role (its fallback when the delete is refused). */
  readonly mayUnassignAll: Set<string>;
}

export const emptyIntended = (): Intended => ({
  deletes: new Set(),
  unassigns: new Set(),
  prunes: new Set(),
  mayUnassignAll: new Set(),
});

interface EntrySnapshot {
  /** Epoch ms of `lastUsed ?? created`; `undefined` when neither is readable. */
  readonly evidenceMs: number | undefined;
  /** Whether `evidenceMs` is a `lastUsed` (else `created`: never used). */
  readonly used: boolean;
}

interface KeySnapshot {
  readonly orgRoles: string[];
  readonly projects: Set<string>;
  readonly entries: Set<string>;
  /** Per normalised entry, its usage evidence. */
  readonly evidence: Map<string, EntrySnapshot>;
}
export type Snapshot = Map<string, KeySnapshot>;

const normalise = (cidr: string): string => {
  try {
    return parseAccessListEntry(cidr).normalised;
  } catch {
    return cidr;
  }
};

/** One key's snapshot (a key created mid-row joins the row's `before`). */
export function keySnapshot(key: SimApiKey): KeySnapshot {
  const evidence = new Map<string, EntrySnapshot>();
  for (const entry of key.accessList) {
    const lastUsed = entry.lastUsed === undefined ? Number.NaN : Date.parse(entry.lastUsed);
    const created = Date.parse(entry.created);
    const at = Number.isFinite(lastUsed) ? lastUsed : Number.isFinite(created) ? created : undefined;
    evidence.set(normalise(entry.cidrBlock), { evidenceMs: at, used: Number.isFinite(lastUsed) });
  }
  return {
    orgRoles: key.roles.filter((r) => r.groupId === undefined).map((r) => `${r.orgId}:${r.roleName}`),
    projects: new Set(key.roles.flatMap((r) => (r.groupId === undefined ? [] : [r.groupId]))),
    entries: new Set(key.accessList.map((e) => normalise(e.cidrBlock))),
    evidence,
  };
}

export function snapshot(sim: Simulator): Snapshot {
  return new Map(sim.state.apiKeys.map((key) => [key.id, keySnapshot(key)]));
}

export interface StateDiff {
  /** Changes outside the intended set (must be empty: no unintended deletion). */
  readonly unexpected: string[];
  /** Intended changes not (yet) made. */
  readonly pending: string[];
}

/** Compares the state now with `before` against what was intended. */
export function diffState(before: Snapshot, after: Snapshot, intended: Intended): StateDiff {
  const unexpected: string[] = [];
  const pending: string[] = [];
  for (const id of after.keys()) if (!before.has(id)) unexpected.push(`key ${id} appeared`);
  for (const [id, was] of before) {
    const now = after.get(id);
    if (now === undefined) {
      if (!intended.deletes.has(id)) unexpected.push(`key ${id} deleted`);
      continue;
    }
    if (intended.deletes.has(id)) pending.push(`delete ${id}`);
    if (now.orgRoles.join() !== was.orgRoles.join()) unexpected.push(`org roles of ${id} changed`);
    for (const groupId of was.projects) {
      const want = intended.unassigns.has(`${id}|${groupId}`);
      const gone = !now.projects.has(groupId);
      if (gone && !want && !intended.mayUnassignAll.has(id)) unexpected.push(`${id} unassigned from ${groupId}`);
      if (!gone && want) pending.push(`unassign ${id} from ${groupId}`);
    }
    for (const groupId of now.projects) if (!was.projects.has(groupId)) unexpected.push(`${id} assigned to ${groupId}`);
    for (const entry of was.entries) {
      const want = intended.prunes.has(`${id}|${entry}`);
      const gone = !now.entries.has(entry);
      if (gone && !want) unexpected.push(`${id} lost entry ${entry}`);
      if (!gone && want) pending.push(`prune ${entry} of ${id}`);
    }
    for (const entry of now.entries) if (!was.entries.has(entry)) unexpected.push(`${id} gained entry ${entry}`);
  }
  return { unexpected, pending };
}

/** The default policy's limits, which the harness's runtimes use: what "in use" means below. */
export const LIMITS = { accessListIdleDays: 90, neverUsedGraceDays: 30, unassignAfterIdleDays: 90, deleteAfterIdleDays: 180 } as const;

/**
 * Writes that hit something in use, judged from the data alone (independently of the planner): a key deleted
 * or unassigned before its idle time reached the limit (or whose use is unknown), an entry pruned while in use,
 * the entry holding its key's newest evidence pruned, or an access list emptied. The harness's policies set no
 * expiry pattern. Changes in `commanded` were asked for explicitly (the operator's call, not idle time): for
 * them only the last-entry and newest-evidence rules apply.
 */
export function inUseViolations(before: Snapshot, after: Snapshot, nowMs: number, commanded: Intended = emptyIntended()): string[] {
  const violations: string[] = [];
  const days = (ms: number | undefined) => (ms === undefined ? -1 : Math.floor((nowMs - ms) / DAY_MS));
  for (const [id, was] of before) {
    const evidences = [...was.evidence.values()];
    const known = evidences.length > 0 && evidences.every((e) => e.evidenceMs !== undefined);
    const newestMs = known ? Math.max(...evidences.map((e) => e.evidenceMs as number)) : undefined;
    const idle = known ? days(newestMs) : -1;
    const now = after.get(id);
    if (now === undefined) {
      if (idle < LIMITS.deleteAfterIdleDays && !commanded.deletes.has(id)) violations.push(`key ${id} deleted ${known ? `after ${idle} idle days` : 'with unknown use'}`);
      continue;
    }
    for (const groupId of was.projects) {
      const asked = commanded.unassigns.has(`${id}|${groupId}`) || commanded.mayUnassignAll.has(id);
      if (!now.projects.has(groupId) && idle < LIMITS.unassignAfterIdleDays && !asked) violations.push(`key ${id} unassigned from ${groupId} after ${idle} idle days`);
    }
    for (const [entry, evidence] of was.evidence) {
      if (now.entries.has(entry)) continue;
      const limit = evidence.used ? LIMITS.accessListIdleDays : LIMITS.neverUsedGraceDays;
      const asked = commanded.prunes.has(`${id}|${entry}`);
      if (!asked && (evidence.evidenceMs === undefined || days(evidence.evidenceMs) < limit)) violations.push(`${id}: entry ${entry} pruned while in use`);
      if (evidence.evidenceMs !== undefined && evidence.evidenceMs === newestMs) violations.push(`${id}: entry ${entry} held the key's newest evidence`);
    }
    if (was.entries.size > 0 && now.entries.size === 0) violations.push(`${id}: access list emptied`);
  }
  return violations;
}

/** The changes one command is meant to make (for the batch cases). */
export function intendedOf(command: Record<string, unknown>, sim: Simulator, into: Intended): void {
  const byId = (id: unknown) => sim.state.apiKeys.find((k) => k.id === id);
  switch (command['action']) {
    case 'deleteOrgKey':
      if (byId(command['apiUserId'])) into.deletes.add(String(command['apiUserId']));
      break;
    case 'revokeKey': {
      const key = sim.state.apiKeys.find((k) => k.id === command['apiUserId'] || k.publicKey === command['publicKey']);
      if (key) {
        into.deletes.add(key.id);
        into.mayUnassignAll.add(key.id);
      }
      break;
    }
    case 'revokeProjectKey':
      into.unassigns.add(`${String(command['apiUserId'])}|${String(command['groupId'])}`);
      break;
    case 'pruneAccessListEntry':
      into.prunes.add(`${String(command['apiUserId'])}|${normalise(String(command['entry']))}`);
      break;
    default:
      throw new Error(`no intended change for ${String(command['action'])}`);
  }
}

/** The changes a sweep's audit records describe (from a dry run). */
export function intendedFromAudit(results: readonly Record<string, unknown>[]): Intended {
  const intended = emptyIntended();
  for (const r of results) {
    const id = String(r['apiUserId']);
    if (r['kind'] === 'deleteOrgKey') intended.deletes.add(id);
    else if (r['kind'] === 'unassignFromProject') intended.unassigns.add(`${id}|${String(r['groupId'])}`);
    else if (r['kind'] === 'pruneAccessListEntry') intended.prunes.add(`${id}|${normalise(String(r['entry']))}`);
  }
  return intended;
}

/** How many changes an intended set holds. */
export const sizeOf = (intended: Intended): number => intended.deletes.size + intended.unassigns.size + intended.prunes.size;

export interface QueueMessage {
  readonly messageId: string;
  readonly body: string;
}

/** An SQS batch from the FIFO work lane, as Lambda delivers it: every record carries its message group. */
export function fifoEvent(messages: readonly QueueMessage[]): SQSEvent {
  return {
    Records: messages.map((m): SQSRecord => {
      let group = 'unparsed';
      try {
        group = messageGroupOf(JSON.parse(m.body) as Command);
      } catch {
        // Not a command: rejected by the worker; any group does.
      }
      return {
        messageId: m.messageId,
        receiptHandle: `receipt-${m.messageId}`,
        body: m.body,
        attributes: {
          ApproximateReceiveCount: '1',
          SentTimestamp: '1545082649183',
          SenderId: 'AIDAIENQZJOLO23YVJ4VO',
          ApproximateFirstReceiveTimestamp: '1545082649185',
          MessageGroupId: group,
          MessageDeduplicationId: m.messageId,
        },
        messageAttributes: {},
        md5OfBody: '0',
        eventSource: 'aws:sqs',
        eventSourceARN: WORK_LANE_ARN,
        awsRegion: 'us-east-1',
      };
    }),
  };
}

/**
 * Records a FIFO batch fails without running them: those after a failed record of the same message group
 * (Powertools skips the rest of the group, so that they are retried in order).
 */
export function groupSkipped(messages: readonly QueueMessage[], failed: readonly string[], logged: ReadonlySet<string>): string[] {
  const failedGroups = new Set<string>();
  const skipped: string[] = [];
  for (const m of fifoEvent(messages).Records) {
    const group = m.attributes.MessageGroupId ?? '';
    if (failedGroups.has(group) && failed.includes(m.messageId) && !logged.has(m.messageId)) skipped.push(m.messageId);
    if (failed.includes(m.messageId)) failedGroups.add(group);
  }
  return skipped;
}

export interface PassResult {
  readonly failed: string[];
  readonly continuations: QueueMessage[];
  readonly elapsedMs: number;
  readonly requests: number;
  /** The simulator's log of this invocation's requests (no credentials in it). */
  readonly log: readonly RequestLogEntry[];
  readonly faults: number;
  /** From the EMF documents the invocation printed. */
  readonly metrics: Record<string, number>;
  readonly records: Record<string, unknown>[];
  readonly text: string;
}

/** Sums the metric values of the invocation's EMF documents (the per-ActionKind ones excluded). */
export function emfTotals(records: readonly Record<string, unknown>[]): Record<string, number> {
  const totals: Record<string, number> = {};
  for (const record of records) {
    if (record['_aws'] === undefined || record['ActionKind'] !== undefined) continue;
    for (const [name, value] of Object.entries(record)) {
      if (typeof value === 'number') totals[name] = (totals[name] ?? 0) + value;
    }
  }
  return totals;
}

export interface HarnessOptions {
  readonly auth: 'digest' | 'oauth';
  readonly seed?: SeedSpec;
  readonly sim?: Omit<SimulatorOptions, 'seed' | 'now' | 'onRequest'>;
  /**
   * Moves the simulator's clock ahead by `byMs` once `after` requests have arrived since `harness.clock.running`
   * was set, then again every `every` requests (if given).
   */
  readonly clockJump?: { readonly after: number; readonly every?: number; readonly byMs: number };
  /** `maxWritesPerOrgPerDay` of the default container. @default DEFAULT_BUDGET */
  readonly budget?: number;
}

export interface ContainerOptions {
  /** `maxWritesPerOrgPerDay`. @default the harness's budget */
  readonly budget?: number;
  /** The state table's client (a crashing one, say). @default dynalite's */
  readonly dynamodb?: DynamoDBClient;
  /** No state table: in-memory state (the dry-run oracle, which must leave nothing behind for the real run). */
  readonly stateless?: boolean;
  /** Environment variables over the harness's (e.g. `SWEEP_MARGIN_SECONDS`). */
  readonly env?: Readonly<Record<string, string>>;
}

export type Harness = Awaited<ReturnType<typeof startHarness>>;

/** One warm Lambda container. */
export interface Container {
  readonly name: string;
  readonly runtime: ReturnType<typeof createRuntime>;
  /** Its policy's `maxWritesPerOrgPerDay`. */
  readonly budget: number;
}

/**
 * One simulator, one state table (dynalite) and warm Lambda containers (`createRuntime`): Secrets Manager and SQS
 * mocked at the SDK seam, the secret served from `secretValues` (the last value repeats), continuations captured
 * from the mocked FIFO work lane. Every container of a harness shares the simulator, the secret and the table.
 */
export async function startHarness(options: HarnessOptions) {
  secretsMock.reset();
  sqsMock.reset();
  sqsMock.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [] });
  const clock = { running: false, skewMs: 0, jumps: 0, startedAt: -1 };
  /** The containers' deadline clock: a row moves it forward to end an invocation's time (a Lambda deadline). */
  const deadlineClock = { skewMs: 0 };
  const hooks = new Set<(request: { method: string; url: string }) => void>();
  let simRef: Simulator | undefined;
  const simNow = () => {
    const jump = options.clockJump;
    if (jump && clock.running && simRef) {
      if (clock.startedAt < 0) clock.startedAt = simRef.requests.length;
      const seen = simRef.requests.length - clock.startedAt;
      const due = seen < jump.after ? 0 : 1 + (jump.every === undefined ? 0 : Math.floor((seen - jump.after) / jump.every));
      if (due > clock.jumps) {
        clock.skewMs += (due - clock.jumps) * jump.byMs;
        clock.jumps = due;
      }
    }
    return new Date(Date.now() + clock.skewMs);
  };
  const sim = await startSimulator({
    ...options.sim,
    now: simNow,
    seed: { keysPerOrg: 30, staleFraction: 0.35, projectsPerOrg: 3, now: new Date(), ...options.seed },
    onRequest: (request) => {
      for (const hook of [...hooks]) hook(request);
    },
  });
  simRef = sim;
  const dynalite: Dynalite = await startDynalite();
  // A connection per request: dynalite closes keep-alive sockets after 5 idle seconds, and a request sent on a
  // socket it is closing fails with ECONNRESET (a race of the test rig, on a busy machine).
  const stateClient = new DynamoDBClient({
    endpoint: dynalite.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'dynalite', secretAccessKey: 'dynalite' },
    requestHandler: { httpAgent: { keepAlive: false } },
  });
  const state = createDynamoState({ tableName: dynalite.tableName, client: stateClient });
  const worker = sim.workers[0]!;
  const orgId = worker.orgId;
  /** The secret's JSON, with a rotated private key or client secret when given. */
  const secretOf = (rotated?: string) =>
    JSON.stringify(
      options.auth === 'digest'
        ? { publicKey: worker.publicKey, privateKey: rotated ?? worker.privateKey, baseUrl: sim.baseUrl }
        : { clientId: worker.clientId, clientSecret: rotated ?? worker.clientSecret, baseUrl: sim.baseUrl },
    );
  const secretValues: string[] = [secretOf()];
  let secretReads = 0;
  secretsMock.on(GetSecretValueCommand).callsFake(() => {
    const value = secretValues[Math.min(secretReads, secretValues.length - 1)];
    secretReads += 1;
    return { SecretString: value };
  });

  const runtimes: Array<ReturnType<typeof createRuntime>> = [];
  /** A warm container: its own runtime (secret cache, Atlas clients, nonces, tokens). */
  const container = (extra: ContainerOptions = {}): Container => {
    const name = `container-${runtimes.length + 1}`;
    const budget = extra.budget ?? options.budget ?? DEFAULT_BUDGET;
    const output = captureOutput(); // start-up warnings, if any, stay out of the test's output
    let runtime: ReturnType<typeof createRuntime>;
    try {
      runtime = createRuntime(
        {
          ATLAS_SECRET_ID: SECRET_ID,
          KEY_POLICY: JSON.stringify({ orgs: [{ orgId }], dryRun: false, maxWritesPerOrgPerDay: budget }),
          WORK_QUEUE_URL: QUEUE_URL,
          ...(extra.stateless === true ? {} : { STATE_TABLE_NAME: dynalite.tableName }),
          SWEEP_MARGIN_SECONDS: '2',
          // The client's pacing buckets refill 20 times faster than Atlas's (the test budget is seconds, not minutes).
          ATLAS_RATE_LIMIT_TIME_SCALE: '20',
          ...extra.env,
        },
        {
          secretsManager: new SecretsManagerClient({ region: 'us-east-1' }),
          sqs: new SQSClient({ region: 'us-east-1' }),
          dynamodb: extra.dynamodb ?? stateClient,
          logger: new Logger({ serviceName: 'atlas-key-worker', persistentKeys: { container: name }, jsonReplacerFn: redactSecrets }),
          metrics: new Metrics({ serviceName: 'atlas-key-worker', namespace: 'AtlasKeyWorker', defaultDimensions: { container: name } }),
          client: FAST_CLIENT,
          clock: () => Date.now() + deadlineClock.skewMs,
        },
      );
    } finally {
      output.stop();
    }
    runtimes.push(runtime);
    return { name, runtime, budget };
  };
  let current: Container = container();

  let messageCounter = 0;
  const message = (body: unknown): QueueMessage => {
    messageCounter += 1;
    return { messageId: `m-${messageCounter}`, body: typeof body === 'string' ? body : JSON.stringify(body) };
  };

  /**
   * Invocations running at once, one per container, each with its SQS batch from the work lane. One output
   * capture for all of them; each pass keeps its own container's records (logs and metrics).
   */
  const runConcurrent = async (passes: ReadonlyArray<{ messages: readonly QueueMessage[]; container?: Container }>, remainingMs: number): Promise<PassResult[]> => {
    const sentBefore = sqsMock.commandCalls(SendMessageBatchCommand).length;
    const requestsBefore = sim.requests.length;
    const faultsBefore = sim.faultsInjected;
    const output = captureOutput();
    const started = Date.now();
    const finished: Array<{ response: SQSBatchResponse; elapsedMs: number; name: string }> = [];
    try {
      await Promise.all(
        passes.map(async (pass, index) => {
          const target = pass.container ?? current;
          const response = (await target.runtime.handle(fifoEvent(pass.messages), lambdaContext(remainingMs))) as SQSBatchResponse;
          finished[index] = { response, elapsedMs: Date.now() - started, name: target.name };
        }),
      );
    } finally {
      output.stop();
    }
    const continuations = sqsMock
      .commandCalls(SendMessageBatchCommand)
      .slice(sentBefore)
      .flatMap((call) => call.args[0].input.Entries ?? [])
      .map((entry) => message(entry.MessageBody ?? ''));
    const records = output.records();
    const log = sim.requests.slice(requestsBefore);
    return finished.map(({ response, elapsedMs, name }) => {
      const own = records.filter((record) => record['container'] === name);
      return {
        failed: response.batchItemFailures.map((f) => f.itemIdentifier),
        // A continuation names its org, not its container: with several passes each gets all of them.
        continuations,
        elapsedMs,
        requests: log.length,
        log,
        faults: sim.faultsInjected - faultsBefore,
        metrics: emfTotals(own),
        records: own,
        text: output.text(),
      };
    });
  };

  /** One invocation with an SQS batch from the work lane; returns what failed, what was enqueued, and what it cost. */
  const runPass = async (messages: readonly QueueMessage[], remainingMs: number, target?: Container): Promise<PassResult> =>
    (await runConcurrent([{ messages, ...(target === undefined ? {} : { container: target }) }], remainingMs))[0]!;

  let oracle: Container | undefined;
  /**
   * A dry-run sweep through a runtime of its own (a direct invocation), without the state table, so that it
   * leaves no next-due records behind: the plan of the fresh state, whose actions the real run should carry out.
   */
  const planSweep = async (): Promise<Intended> => {
    oracle ??= container({ stateless: true });
    const output = captureOutput();
    try {
      const report = (await oracle.runtime.handle({ action: 'sweep', orgId, dryRun: true }, lambdaContext(30_000))) as {
        results: Record<string, unknown>[];
        sweep: { complete: boolean };
      };
      if (!report.sweep.complete) throw new Error('the dry-run plan did not complete');
      return intendedFromAudit(report.results);
    } finally {
      output.stop();
    }
  };

  /** One harmless direct invocation (a delete of a key that does not exist): the secret is cached, the client built. */
  const warmUp = async (target: Container = current): Promise<void> => {
    const output = captureOutput();
    try {
      await target.runtime.handle({ action: 'deleteOrgKey', orgId, apiUserId: 'ab'.repeat(12) }, lambdaContext(30_000));
    } finally {
      output.stop();
    }
  };

  return {
    sim,
    dynalite,
    /** The state table's client the containers use. */
    stateClient,
    worker,
    warmUp,
    orgId,
    get runtime() {
      return current.runtime;
    },
    /** The container `runPass` uses by default. */
    get current() {
      return current;
    },
    /** Replaces the default container by a fresh one (another budget, say); the old one stays open. */
    useContainer(extra: ContainerOptions = {}): Container {
      current = container(extra);
      return current;
    },
    container,
    clock,
    deadlineClock,
    message,
    runPass,
    runConcurrent,
    planSweep,
    /** Called with every request the simulator receives, before it answers it. Returns a remover. */
    onRequest(hook: (request: { method: string; url: string }) => void): () => void {
      hooks.add(hook);
      return () => hooks.delete(hook);
    },
    /** Units of the org's write budget reserved today (the state table). */
    budgetUsed: () => state.budget.usage(orgId, new Date()),
    /** Serve these secret values from now on (e.g. a stale one first, then the rotated one). */
    setSecrets: (...values: string[]) => {
      secretValues.splice(0, secretValues.length, ...values);
      secretReads = 0;
    },
    secretOf,
    secretReads: () => secretReads,
    /** Rotates the worker service account's secret in the simulator (Atlas side of a rotation). */
    rotateClientSecret: (clientSecret: string) => {
      const account = sim.state.serviceAccounts.find((a) => a.clientId === worker.clientId)!;
      account.clientSecret = clientSecret;
    },
    /** Rotates the worker key's private key in the simulator (Atlas side of a rotation). */
    rotateKey: (privateKey: string) => {
      const key = sim.state.apiKeys.find((k) => k.id === worker.apiKeyId) as SimApiKey;
      key.privateKey = privateKey;
    },
    close: async () => {
      for (const runtime of runtimes) await runtime.session.close();
      await sim.close();
      stateClient.destroy();
      await dynalite.close();
    },
  };
}

/**
 * A state-table client for a container that dies: the first `answered` reservations go through; the next one
 * reaches the table (the unit is spent) but its answer never arrives; from then on nothing leaves the container.
 * `crashed` resolves at that moment; `release` fails everything still hanging, so that the dead invocation ends.
 */
export function crashingClient(client: DynamoDBClient, answered: number) {
  const hanging: Array<(error: Error) => void> = [];
  let reservations = 0;
  let dead = false;
  let released = false;
  let signal: () => void = () => undefined;
  const crashed = new Promise<void>((resolve) => {
    signal = resolve;
  });
  const hang = <T>(): Promise<T> =>
    released ? Promise.reject(new Error('container crashed')) : new Promise<T>((_, reject) => hanging.push(reject));
  const wrapped = Object.create(client) as DynamoDBClient;
  Object.defineProperty(wrapped, 'send', {
    value: async (command: Parameters<DynamoDBClient['send']>[0]) => {
      if (dead) return hang();
      if (command instanceof UpdateItemCommand) {
        reservations += 1;
        if (reservations > answered) {
          // Counted at the call, so that no other reservation slips through while this one is on its way.
          dead = true;
          await client.send(command as never);
          signal();
          return hang();
        }
      }
      return client.send(command as never);
    },
  });
  return {
    client: wrapped,
    crashed,
    release: () => {
      released = true;
      for (const reject of hanging.splice(0)) reject(new Error('container crashed'));
    },
  };
}

/** One row of the printed summary. */
export interface SummaryRow {
  readonly name: string;
  readonly requests: number;
  readonly faults: number;
  readonly done: number;
  readonly retried: number;
  readonly failedToDlq: number;
  readonly redrives: number;
  /** `maxWritesPerOrgPerDay` of the row. */
  readonly budget: number;
  /** Distinct write requests (method and path) the simulator received over the whole row. */
  readonly writes: number;
  /** Units of the day's budget reserved in the state table at the end. */
  readonly reserved: number;
  /** Writes the dry-run oracle of the fresh state did not plan, or that hit a key or entry in use. */
  readonly wrong: number;
  /** Intended changes not made, with budget to spare. */
  readonly lost: number;
  /** Intended changes left for another day: the day's budget was spent. */
  readonly heldBack: number;
  readonly elapsedMs: number;
  readonly budgetMs: number;
  /** Why records of the faulty invocation failed (distinct, shortened). */
  readonly reasons: readonly string[];
}

export function renderSummary(title: string, rows: readonly SummaryRow[]): string {
  const header = [
    'case',
    'requests',
    'faults injected',
    'actions done',
    'retried',
    'failed→DLQ',
    'redrives',
    'writes / budget',
    'reserved',
    'wrong',
    'lost',
    'held back',
    'ms / time',
  ];
  const body = rows.map((r) => [
    r.name,
    String(r.requests),
    String(r.faults),
    String(r.done),
    String(r.retried),
    String(r.failedToDlq),
    String(r.redrives),
    `${r.writes} / ${r.budget}`,
    String(r.reserved),
    String(r.wrong),
    String(r.lost),
    String(r.heldBack),
    `${r.elapsedMs} / ${r.budgetMs}`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [
    '',
    `### ${title}`,
    '',
    line(header),
    `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`,
    ...body.map(line),
    '',
    ...rows.flatMap((r) => r.reasons.map((reason) => `- ${r.name}: ${reason}`)),
    '',
  ].join('\n');
}

/** Counts done or already-absent actions from a pass's EMF totals. */
export function doneOf(metrics: Record<string, number>): number {
  return (metrics[METRIC_NAMES.actionsDone] ?? 0) + (metrics[METRIC_NAMES.actionsAlreadyAbsent] ?? 0);
}

export const retriesOf = (metrics: Record<string, number>): number => metrics[METRIC_NAMES.retries] ?? 0;

/** Distinct write requests (method and path, query left out) in `log`; token requests excluded. */
export function distinctWrites(log: readonly RequestLogEntry[]): number {
  return new Set(log.filter((r) => r.method !== 'GET' && !r.url.startsWith('/api/oauth/')).map((r) => `${r.method} ${r.url.split('?')[0]}`)).size;
}

/** Fault rules shared by both matrices. `every` path under the API and the token endpoint. */
export type FaultPlan = (h: Harness) => void;

export const rule = (fault: FaultRule['fault'], extra: Omit<FaultRule, 'fault'> = {}): FaultRule => ({ path: '/api/', ...extra, fault });
