import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { createRuntime } from '../../lambda/runtime/create-runtime.ts';
import { METRIC_NAMES } from '../../lambda/telemetry/metric-names.ts';
import { parseAccessListEntry } from '../../lambda/validation/access-list-entry.ts';
import { startSimulator } from '../../sim/index.ts';
import type { FaultRule, RequestLogEntry, SeedSpec, SimApiKey, Simulator, SimulatorOptions } from '../../sim/types.ts';
import sqsSample from '../fixtures/sqs-event.json' with { type: 'json' };
import { captureOutput } from '../helpers/capture-output.ts';
import { lambdaContext } from '../helpers/lambda-context.ts';

export const secretsMock = mockClient(SecretsManagerClient);
export const sqsMock = mockClient(SQSClient);
export const QUEUE_URL = 'https://sqs.us-east-1.amazonaws.com/123456789012/atlas-key-worker';
const SECRET_ID = 'atlas-key-worker/credentials';

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

interface KeySnapshot {
  readonly orgRoles: string[];
  readonly projects: Set<string>;
  readonly entries: Set<string>;
}
export type Snapshot = Map<string, KeySnapshot>;

const normalise = (cidr: string): string => {
  try {
    return parseAccessListEntry(cidr).normalised;
  } catch {
    return cidr;
  }
};

export function snapshot(sim: Simulator): Snapshot {
  return new Map(
    sim.state.apiKeys.map((key) => [
      key.id,
      {
        orgRoles: key.roles.filter((r) => r.groupId === undefined).map((r) => `${r.orgId}:${r.roleName}`),
        projects: new Set(key.roles.flatMap((r) => (r.groupId === undefined ? [] : [r.groupId]))),
        entries: new Set(key.accessList.map((e) => normalise(e.cidrBlock))),
      },
    ]),
  );
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

export interface QueueMessage {
  readonly messageId: string;
  readonly body: string;
}

function sqsEvent(messages: readonly QueueMessage[]): SQSEvent {
  const [sample] = sqsSample.Records;
  return { Records: messages.map((m) => ({ ...sample!, messageId: m.messageId, body: m.body }) as SQSRecord) };
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
  readonly sim?: Omit<SimulatorOptions, 'seed' | 'now'>;
  /**
   * Moves the simulator's clock ahead by `byMs` once `after` requests have arrived since `harness.clock.running`
   * was set, then again every `every` requests (if given).
   */
  readonly clockJump?: { readonly after: number; readonly every?: number; readonly byMs: number };
}

export type Harness = Awaited<ReturnType<typeof startHarness>>;

/**
 * One simulator and one Lambda runtime (a warm container): Secrets Manager and SQS mocked, the secret served
 * from `secretValues` (the last value repeats), continuations captured from the mocked work queue.
 */
export async function startHarness(options: HarnessOptions) {
  secretsMock.reset();
  sqsMock.reset();
  sqsMock.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [] });
  const clock = { running: false, skewMs: 0, jumps: 0, startedAt: -1 };
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
  });
  simRef = sim;
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

  const runtime = createRuntime(
    {
      ATLAS_SECRET_ID: SECRET_ID,
      KEY_POLICY: JSON.stringify({ orgs: [{ orgId }], dryRun: false, maxDeletionsPerRun: 10_000 }),
      WORK_QUEUE_URL: QUEUE_URL,
      SWEEP_MARGIN_SECONDS: '2',
      // The client's pacing buckets refill 20 times faster than Atlas's (the test budget is seconds, not minutes).
      ATLAS_RATE_LIMIT_TIME_SCALE: '20',
    },
    {
      secretsManager: new SecretsManagerClient({ region: 'us-east-1' }),
      sqs: new SQSClient({ region: 'us-east-1' }),
      client: FAST_CLIENT,
    },
  );

  let messageCounter = 0;
  const message = (body: unknown): QueueMessage => {
    messageCounter += 1;
    return { messageId: `m-${messageCounter}`, body: typeof body === 'string' ? body : JSON.stringify(body) };
  };

  /** One invocation with an SQS batch; returns what failed, what was enqueued, and what it cost. */
  const runPass = async (messages: readonly QueueMessage[], remainingMs: number): Promise<PassResult> => {
    const sentBefore = sqsMock.commandCalls(SendMessageBatchCommand).length;
    const requestsBefore = sim.requests.length;
    const faultsBefore = sim.faultsInjected;
    const output = captureOutput();
    const started = Date.now();
    let response: SQSBatchResponse;
    try {
      response = (await runtime.handle(sqsEvent(messages), lambdaContext(remainingMs))) as SQSBatchResponse;
    } finally {
      output.stop();
    }
    const elapsedMs = Date.now() - started;
    const continuations = sqsMock
      .commandCalls(SendMessageBatchCommand)
      .slice(sentBefore)
      .flatMap((call) => call.args[0].input.Entries ?? [])
      .map((entry) => message(entry.MessageBody ?? ''));
    const records = output.records();
    return {
      failed: response.batchItemFailures.map((f) => f.itemIdentifier),
      continuations,
      elapsedMs,
      requests: sim.requests.length - requestsBefore,
      log: sim.requests.slice(requestsBefore),
      faults: sim.faultsInjected - faultsBefore,
      metrics: emfTotals(records),
      records,
      text: output.text(),
    };
  };

  /** A dry-run sweep through the runtime (a direct invocation): the plan whose actions the real run should carry out. */
  const planSweep = async (): Promise<Intended> => {
    const output = captureOutput();
    try {
      const report = (await runtime.handle({ action: 'sweep', orgId, dryRun: true }, lambdaContext(30_000))) as {
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
  const warmUp = async (): Promise<void> => {
    const output = captureOutput();
    try {
      await runtime.handle({ action: 'deleteOrgKey', orgId, apiUserId: 'ab'.repeat(12) }, lambdaContext(30_000));
    } finally {
      output.stop();
    }
  };

  return {
    sim,
    worker,
    warmUp,
    orgId,
    runtime,
    clock,
    message,
    runPass,
    planSweep,
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
      await runtime.session.close();
      await sim.close();
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
  readonly lost: number;
  readonly elapsedMs: number;
  readonly budgetMs: number;
  /** Why records of the faulty invocation failed (distinct, shortened). */
  readonly reasons: readonly string[];
}

export function renderSummary(title: string, rows: readonly SummaryRow[]): string {
  const header = ['case', 'requests', 'faults injected', 'actions done', 'retried', 'failed→DLQ', 'redrives', 'lost', 'ms / budget'];
  const body = rows.map((r) => [
    r.name,
    String(r.requests),
    String(r.faults),
    String(r.done),
    String(r.retried),
    String(r.failedToDlq),
    String(r.redrives),
    String(r.lost),
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

/** Fault rules shared by both matrices. `every` path under the API and the token endpoint. */
export type FaultPlan = (h: Harness) => void;

export const rule = (fault: FaultRule['fault'], extra: Omit<FaultRule, 'fault'> = {}): FaultRule => ({ path: '/api/', ...extra, fault });
