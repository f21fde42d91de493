import { expect } from 'vitest';
import {
  diffState,
  doneOf,
  type Harness,
  type HarnessOptions,
  type Intended,
  type PassResult,
  type QueueMessage,
  retriesOf,
  rule,
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
    verify: (_, pass) => expect(statuses(pass)).toContain(429),
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

/**
 * Runs the faulty invocation, checks it, then plays SQS: failed records are delivered again and continuations
 * delivered, with the faults gone, until the queue is empty. Nothing may be lost and nothing unintended
 * may change at any point. Checks are soft, so that the row (with what was lost) is still returned and printed.
 */
export async function runCase(run: CaseRun): Promise<SummaryRow> {
  const { h, spec, intended } = run;
  const before = snapshot(h.sim);
  spec.inject(h);

  const first = await h.runPass(run.messages, spec.remainingMs);
  h.sim.clearFaults();
  h.clock.running = false;
  spec.verify(h, first);

  // The invocation ended within its deadline, and changed nothing outside the plan.
  expect.soft(first.elapsedMs, 'faulty invocation overran its deadline').toBeLessThanOrEqual(spec.remainingMs);
  const afterFirst = diffState(before, snapshot(h.sim), intended);
  expect.soft(afterFirst.unexpected, 'unintended changes').toEqual([]);

  // No record is acknowledged without its work done: a record not reported as failed (and, for a sweep, that
  // left no continuation) has every change it was meant to make.
  for (const message of run.messages) {
    if (first.failed.includes(message.messageId)) continue;
    if (run.mode === 'sweep' && first.continuations.length > 0) continue;
    const own = run.perMessage.get(message.messageId);
    if (own === undefined) continue;
    expect.soft(diffState(before, snapshot(h.sim), own).pending, `message ${message.messageId} acknowledged with work left: ${message.body}`).toEqual([]);
  }
  // Every failure was logged with its reason (that is what the DLQ holds).
  const failureLogs = first.records.filter((r) => r['message'] === 'queue message failed; it will be retried, then moved to the DLQ');
  expect.soft(failureLogs.map((r) => r['messageId']).sort()).toEqual([...first.failed].sort());
  for (const log of failureLogs) expect.soft(String(log['reason'] ?? '')).not.toBe('');

  // Redrive: what failed comes back (same body), continuations arrive; the fault is over.
  const bodies = new Map(run.messages.map((m) => [m.messageId, m]));
  let pending: QueueMessage[] = [...first.failed.map((id) => bodies.get(id)!), ...first.continuations];
  let redrives = 0;
  while (pending.length > 0 && redrives < MAX_REDRIVES) {
    redrives += 1;
    for (const m of pending) bodies.set(m.messageId, m);
    const pass = await h.runPass(pending, 30_000);
    expect.soft(diffState(before, snapshot(h.sim), intended).unexpected, 'unintended changes on redrive').toEqual([]);
    pending = [...pass.failed.map((id) => bodies.get(id)!), ...pass.continuations];
  }
  expect.soft(pending, 'queue did not drain').toEqual([]);
  const final = diffState(before, snapshot(h.sim), intended);
  expect.soft(final.unexpected).toEqual([]);
  expect.soft(final.pending, 'intended changes lost').toEqual([]);

  return {
    name: `${spec.name} (${run.mode})`,
    requests: first.requests,
    faults: first.faults + (spec.organicFaults?.(first) ?? 0),
    done: doneOf(first.metrics),
    retried: retriesOf(first.metrics),
    failedToDlq: first.failed.length,
    redrives,
    lost: final.pending.length,
    elapsedMs: first.elapsedMs,
    budgetMs: spec.remainingMs,
    reasons: [...new Set(failureLogs.map((log) => String(log['reason']).slice(0, 160)))],
  };
}
