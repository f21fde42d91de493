import { expect } from 'vitest';
import type { SimApiKey } from '../../sim/types.ts';
import {
  diffState,
  emptyIntended,
  distinctWrites,
  doneOf,
  type Harness,
  type HarnessOptions,
  type Intended,
  intendedOf,
  inUseViolations,
  type PassResult,
  type QueueMessage,
  groupSkipped,
  retriesOf,
  rule,
  type Snapshot,
  type SummaryRow,
  snapshot,
} from './fault-harness.ts';

/** One fault scenario; run once on a sweep and once on a batch of queue commands. */
export interface FaultCase {
  readonly name: string;
  readonly harness: HarnessOptions;
  /** Lambda time left at the start of the faulty invocation. */
  readonly remainingMs: number;
  /** Called after the plan is made and the container is warm, just before the faulty invocation. */
  readonly inject: (h: Harness) => void;
  /** Checks that the fault really happened during the faulty invocation. */
  readonly verify: (h: Harness, pass: PassResult) => void;
  /** Faults the simulator produced on its own (not scripted), for the summary. */
  readonly organicFaults?: (pass: PassResult) => number;
}

const statuses = (pass: PassResult, auth?: string) => pass.log.filter((r) => auth === undefined || r.auth === auth).map((r) => r.status);

/**
 * Every 429 the client got was counted (`RateLimited`) and answered by sending the same request again later, or,
 * when its attempts ran out, by failing the record (SQS delivers it again): never dropped, never taken as done.
 */
export function expectEvery429Handled(pass: PassResult): void {
  const log = pass.log;
  const limited = log.flatMap((entry, index) => (entry.status === 429 ? [index] : []));
  expect(pass.metrics['RateLimited'] ?? 0, 'a 429 the client did not count').toBe(limited.length);
  for (const index of limited) {
    const { method, url } = log[index]!;
    const again = log.slice(index + 1).some((later) => later.method === method && later.url === url);
    expect(again || pass.failed.length > 0, `${method} ${url}: answered 429, neither sent again nor failed`).toBe(true);
  }
}

export const FAULT_CASES: readonly FaultCase[] = [
  {
    name: '429 storm with Retry-After',
    harness: { auth: 'digest' },
    remainingMs: 20_000,
    verify: (_, pass) => expect(statuses(pass)).toContain(429),
    inject: (h) => h.sim.addFault(rule({ kind: 'status', status: 429, retryAfterSeconds: 1 }, { after: 4, times: 5 })),
  },
  {
    name: '429 storm without Retry-After',
    harness: { auth: 'oauth' },
    remainingMs: 20_000,
    verify: (_, pass) => expect(statuses(pass)).toContain(429),
    inject: (h) => h.sim.addFault(rule({ kind: 'status', status: 429 }, { after: 2, times: 40 })),
  },
  {
    name: 'real token-bucket 429s, no RateLimit-* headers',
    // No RateLimit-* headers, so the client's pacing cannot see the small buckets coming: real 429s, Retry-After 1 s.
    harness: {
      auth: 'digest',
      sim: { rateLimit: { orgCapacity: 8, orgRefillPerMinute: 240, projectCapacity: 3, projectRefillPerMinute: 120, timeScale: 10, headers: false } },
    },
    remainingMs: 20_000,
    // Whether the bucket runs dry depends on how fast this machine sends (a busy one may never see a 429): what
    // is checked is what the client did with the 429s it got, however many that was.
    verify: (_, pass) => expectEvery429Handled(pass),
    organicFaults: (pass) => statuses(pass).filter((status) => status === 429).length,
    inject: () => {},
  },
  {
    name: '500/503 bursts',
    harness: { auth: 'digest' },
    remainingMs: 20_000,
    verify: (_, pass) => expect(statuses(pass)).toEqual(expect.arrayContaining([500, 503])),
    inject: (h) => {
      h.sim.addFault(rule({ kind: 'status', status: 500 }, { after: 3, times: 8 }));
      h.sim.addFault(rule({ kind: 'status', status: 503, errorCode: 'SERVICE_UNAVAILABLE' }, { after: 20, times: 8 }));
      h.sim.addFault(rule({ kind: 'status', status: 503 }, { method: 'DELETE', times: 3 }));
    },
  },
  {
    name: 'connection reset mid-response',
    harness: { auth: 'oauth' },
    remainingMs: 20_000,
    verify: (_, pass) => expect(pass.faults).toBeGreaterThan(0),
    inject: (h) => {
      // A reset DELETE has already been applied by the server: its retry meets "already gone".
      h.sim.addFault(rule({ kind: 'reset' }, { method: 'DELETE', times: 4 }));
      h.sim.addFault(rule({ kind: 'reset' }, { method: 'GET', after: 2, times: 6 }));
    },
  },
  {
    name: 'hung connections (timeouts)',
    harness: { auth: 'digest' },
    remainingMs: 20_000,
    verify: (_, pass) => expect(pass.faults).toBeGreaterThan(0),
    inject: (h) => {
      h.sim.addFault(rule({ kind: 'hang' }, { method: 'GET', after: 3, times: 3 }));
      h.sim.addFault(rule({ kind: 'hang' }, { method: 'DELETE', times: 2 }));
    },
  },
  {
    name: 'truncated JSON on reads',
    harness: { auth: 'oauth' },
    remainingMs: 20_000,
    verify: (_, pass) => expect(pass.faults).toBeGreaterThan(0),
    inject: (h) => h.sim.addFault(rule({ kind: 'malformed' }, { method: 'GET', after: 3, times: 3 })),
  },
  {
    name: 'truncated JSON 200 to deletes',
    harness: { auth: 'digest' },
    remainingMs: 20_000,
    // A 200 with a garbage body to a DELETE: something other than Atlas answered, and nothing was deleted.
    verify: (_, pass) => expect(pass.faults).toBeGreaterThan(0),
    inject: (h) => h.sim.addFault(rule({ kind: 'malformed' }, { method: 'DELETE', times: 3 })),
  },
  {
    name: 'OAuth token expires mid-run',
    // The simulator's clock leaps past the token lifetime 5 requests in, then every 60 requests (more than one
    // wave of 16 concurrent calls with their 401s and retries, so no single call meets two expiries, as with real
    // hour-long tokens): the client's token dies long before its own clock says to refresh it.
    harness: { auth: 'oauth', sim: { tokenTtlSeconds: 60 }, clockJump: { after: 5, every: 60, byMs: 61_000 } },
    remainingMs: 20_000,
    verify: (h, pass) => {
      expect(statuses(pass, 'bearer')).toContain(401);
      expect(h.sim.issuedTokens.length).toBeGreaterThan(1);
    },
    organicFaults: (pass) => statuses(pass).filter((status) => status === 401).length,
    inject: (h) => {
      h.clock.running = true;
    },
  },
  {
    name: 'Digest nonce goes stale mid-run',
    // Every nonce the server has issued goes stale 5 requests in, then every 60 requests (see above).
    harness: { auth: 'digest', sim: { nonceTtlMs: 60_000 }, clockJump: { after: 5, every: 60, byMs: 61_000 } },
    remainingMs: 20_000,
    verify: (_, pass) => expect(statuses(pass, 'digest')).toContain(401),
    organicFaults: (pass) => statuses(pass).filter((status) => status === 401).length,
    inject: (h) => {
      h.clock.running = true;
    },
  },
  {
    name: 'secret rotated between invocations',
    harness: { auth: 'digest' },
    remainingMs: 20_000,
    verify: (h, pass) => {
      expect(statuses(pass, 'digest')).toContain(401);
      expect(h.secretReads()).toBe(1);
    },
    organicFaults: (pass) => statuses(pass).filter((status) => status === 401).length,
    inject: (h) => {
      // Atlas has the new private key; the container still caches the old secret value (max age 300 s).
      const rotated = 'f0e1d2c3-b4a5-4687-9281-rotated00001';
      h.rotateKey(rotated);
      h.setSecrets(h.secretOf(rotated));
    },
  },
  {
    name: 'service-account secret rotated, token expired',
    harness: { auth: 'oauth' },
    remainingMs: 20_000,
    verify: (h, pass) => {
      expect(pass.log.filter((r) => r.url === '/api/oauth/token').map((r) => r.status)).toEqual(expect.arrayContaining([401, 200]));
      expect(h.secretReads()).toBe(1);
    },
    organicFaults: (pass) => statuses(pass).filter((status) => status === 401).length,
    inject: (h) => {
      // The old secret is revoked and the cached token has expired: the next token request is refused.
      const rotated = 'mdb_sa_sk_rotated0000000000000000000000000001';
      h.rotateClientSecret(rotated);
      h.setSecrets(h.secretOf(rotated));
      h.clock.skewMs += 2 * 3600_000;
    },
  },
  {
    name: 'hung connections outlasting the Lambda',
    harness: { auth: 'oauth' },
    remainingMs: 1_200,
    verify: (_, pass) => expect(pass.failed.length).toBeGreaterThan(0),
    inject: (h) => h.sim.addFault(rule({ kind: 'hang' }, { after: 1 })),
  },
  {
    name: 'Lambda deadline reached mid-batch',
    harness: { auth: 'digest' },
    remainingMs: 1_500,
    verify: (_, pass) => expect(pass.failed.length).toBeGreaterThan(0),
    inject: (h) => h.sim.addFault(rule({ kind: 'latency', ms: 120 })),
  },
];

export interface CaseRun {
  readonly h: Harness;
  readonly spec: FaultCase;
  readonly intended: Intended;
  readonly messages: readonly QueueMessage[];
  /** Per message, what it alone is meant to change (batch cases); for a sweep, the whole plan. */
  readonly perMessage: ReadonlyMap<string, Intended>;
  readonly mode: 'sweep' | 'batch';
}

const MAX_REDRIVES = 8;

/** What a row's whole history (the faulty invocation and every redelivery) left behind. */
export interface RowOutcome {
  readonly before: Snapshot;
  readonly intended: Intended;
  /** The simulator's requests from the first invocation on. */
  readonly log: readonly import('../../sim/types.ts').RequestLogEntry[];
  /** Unintended changes seen after any pass. */
  readonly unexpected: ReadonlySet<string>;
  readonly budget: number;
  /** Changes explicit commands asked for (judged by the entry rules only, not by idle time). */
  readonly commanded?: Intended;
}

/** Writes, reservations, wrong writes, lost and held-back changes of a row; soft-asserts the invariants. */
export async function assessRow(h: Harness, outcome: RowOutcome) {
  const after = snapshot(h.sim);
  const final = diffState(outcome.before, after, outcome.intended);
  const wrong = new Set([...outcome.unexpected, ...final.unexpected, ...inUseViolations(outcome.before, after, Date.now(), outcome.commanded)]);
  const writes = distinctWrites(outcome.log);
  const reserved = await h.budgetUsed();
  // Left undone is fine only when the day's budget is spent: the rest waits for tomorrow.
  const spent = reserved >= outcome.budget;
  const lost = spent ? 0 : final.pending.length;
  expect.soft([...wrong], 'wrong writes').toEqual([]);
  expect.soft(writes, 'writes over the budget').toBeLessThanOrEqual(outcome.budget);
  expect.soft(reserved, 'reservations over the budget').toBeLessThanOrEqual(outcome.budget);
  expect.soft(spent ? [] : final.pending, 'intended changes lost').toEqual([]);
  return { writes, reserved, wrong: wrong.size, lost, heldBack: spent ? final.pending.length : 0 };
}

/**
 * Plays SQS after a faulty invocation: what failed comes back (same body), continuations arrive, until the queue
 * is empty or `MAX_REDRIVES` passes ran. `beforePass` runs before each (a row resets its deadline clock there).
 */
export async function drain(
  h: Harness,
  first: QueueMessage[],
  check: () => void,
  beforePass: () => void = () => undefined,
  remainingMs = 30_000,
): Promise<{ redrives: number; pending: QueueMessage[] }> {
  const bodies = new Map<string, QueueMessage>();
  let pending = first;
  let redrives = 0;
  while (pending.length > 0 && redrives < MAX_REDRIVES) {
    redrives += 1;
    for (const m of pending) bodies.set(m.messageId, m);
    beforePass();
    const pass = await h.runPass(pending, remainingMs);
    check();
    pending = [...pass.failed.map((id) => bodies.get(id)!), ...pass.continuations];
  }
  expect.soft(pending, 'queue did not drain').toEqual([]);
  return { redrives, pending };
}

/**
 * Runs the faulty invocation, checks it, then plays SQS: failed records are delivered again and continuations
 * delivered, with the faults gone, until the queue is empty. Nothing may be lost and nothing unintended
 * may change at any point. Checks are soft, so that the row (with what was lost) is still returned and printed.
 */
export async function runCase(run: CaseRun): Promise<SummaryRow> {
  const { h, spec, intended } = run;
  const before = snapshot(h.sim);
  const logStart = h.sim.requests.length;
  const unexpected = new Set<string>();
  const checkUnexpected = () => {
    for (const change of diffState(before, snapshot(h.sim), intended).unexpected) unexpected.add(change);
  };
  spec.inject(h);

  const first = await h.runPass(run.messages, spec.remainingMs);
  h.sim.clearFaults();
  h.clock.running = false;
  spec.verify(h, first);

  // The invocation returned (hung connections did not hold it past its deadline for good), and changed nothing
  // outside the plan. How close to the deadline it returned depends on the machine's load: the bound only
  // tells "returned" from "hung", with room for a busy machine. That the work stopped at the deadline shows in
  // the records it failed (AtlasDeadlineError), which `verify` checks for the deadline cases.
  expect.soft(first.elapsedMs, 'faulty invocation hung past its deadline').toBeLessThanOrEqual(2 * spec.remainingMs + 5_000);
  checkUnexpected();

  // No record is acknowledged without its work done: a record not reported as failed (and, for a sweep, that
  // left no continuation) has every change it was meant to make.
  for (const message of run.messages) {
    if (first.failed.includes(message.messageId)) continue;
    if (run.mode === 'sweep' && first.continuations.length > 0) continue;
    const own = run.perMessage.get(message.messageId);
    if (own === undefined) continue;
    expect.soft(diffState(before, snapshot(h.sim), own).pending, `message ${message.messageId} acknowledged with work left: ${message.body}`).toEqual([]);
  }
  // Every failure was logged with its reason (that is what the DLQ holds), except the records the FIFO lane
  // failed unread because an earlier record of their message group had failed (kept in order for the retry).
  const failureLogs = first.records.filter((r) => r['message'] === 'queue message failed; it will be retried, then moved to the DLQ');
  const logged = new Set(failureLogs.map((r) => String(r['messageId'])));
  const skipped = groupSkipped(run.messages, first.failed, logged);
  expect.soft([...logged, ...skipped].sort()).toEqual([...first.failed].sort());
  for (const log of failureLogs) expect.soft(String(log['reason'] ?? '')).not.toBe('');

  const bodies = new Map(run.messages.map((m) => [m.messageId, m]));
  const { redrives } = await drain(h, [...first.failed.map((id) => bodies.get(id)!), ...first.continuations], checkUnexpected);
  const outcome = await assessRow(h, {
    before,
    intended,
    log: h.sim.requests.slice(logStart),
    unexpected,
    budget: h.current.budget,
    ...(run.mode === 'batch' ? { commanded: intended } : {}),
  });

  return {
    name: `${spec.name} (${run.mode})`,
    requests: first.requests,
    faults: first.faults + (spec.organicFaults?.(first) ?? 0),
    done: doneOf(first.metrics),
    retried: retriesOf(first.metrics),
    failedToDlq: first.failed.length,
    redrives,
    budget: h.current.budget,
    ...outcome,
    elapsedMs: first.elapsedMs,
    budgetMs: spec.remainingMs,
    reasons: [...new Set(failureLogs.map((log) => String(log['reason']).slice(0, 160)))],
  };
}

/** Nine commands on distinct keys (the worker's own excluded). */
function batchCommands(harness: Harness): Record<string, unknown>[] {
  const { sim, orgId, worker } = harness;
  const used = new Set<string>([worker.apiKeyId]);
  const take = (test: (k: SimApiKey) => boolean): SimApiKey => {
    const key = sim.state.apiKeys.find((k) => !used.has(k.id) && test(k));
    if (!key) throw new Error('seed has no key for this command');
    used.add(key.id);
    return key;
  };
  const any = () => true;
  const inProject = (k: SimApiKey) => k.roles.some((r) => r.groupId !== undefined);
  // An operator's prune is refused for the key's last entry and for the entry holding its newest use: the batch
  // prunes the entry with the oldest evidence of a key with distinct evidence on every entry.
  const evidence = (e: SimApiKey['accessList'][number]) => Date.parse(e.lastUsed ?? e.created);
  const prunable = (k: SimApiKey) =>
    new Set(k.accessList.map((e) => e.cidrBlock)).size >= 2 && new Set(k.accessList.map(evidence)).size === k.accessList.length;
  const oldestEntry = (k: SimApiKey) => [...k.accessList].sort((a, b) => evidence(a) - evidence(b))[0]!.cidrBlock;
  const project = (k: SimApiKey) => k.roles.find((r) => r.groupId !== undefined)!.groupId!;
  const [p1, p2] = [take(inProject), take(inProject)];
  const [e1, e2] = [take(prunable), take(prunable)];
  return [
    { action: 'deleteOrgKey', orgId, apiUserId: take(any).id },
    { action: 'revokeKey', orgId, publicKey: take(any).publicKey, reason: 'leaked in a build log' },
    { action: 'revokeProjectKey', groupId: project(p1), apiUserId: p1.id },
    { action: 'pruneAccessListEntry', orgId, apiUserId: e1.id, entry: oldestEntry(e1) },
    { action: 'deleteOrgKey', orgId, apiUserId: 'cd'.repeat(12) },
    { action: 'revokeKey', orgId, apiUserId: take(any).id },
    { action: 'revokeProjectKey', groupId: project(p2), apiUserId: p2.id },
    { action: 'pruneAccessListEntry', orgId, apiUserId: e2.id, entry: oldestEntry(e2) },
    { action: 'deleteOrgKey', orgId, apiUserId: take(any).id },
  ];
}

/** The batch of the matrix's batch mode: its messages, and what they (each, and all) are meant to change. */
export function batchOf(h: Harness): Pick<CaseRun, 'intended' | 'messages' | 'perMessage'> {
  const intended = emptyIntended();
  const perMessage = new Map<string, Intended>();
  const messages = batchCommands(h).map((command) => {
    const message = h.message(command);
    const own = emptyIntended();
    intendedOf(command, h.sim, own);
    intendedOf(command, h.sim, intended);
    perMessage.set(message.messageId, own);
    return message;
  });
  return { intended, messages, perMessage };
}
