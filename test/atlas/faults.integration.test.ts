import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  AtlasAbortedError,
  AtlasApiError,
  AtlasDeadlineError,
  AtlasMalformedResponseError,
  AtlasTimeoutError,
} from '../../lambda/atlas/index.ts';
import type { ClientEvent } from '../../lambda/atlas/types.ts';
import { type Simulator, startSimulator } from '../../sim/index.ts';
import { clientFor, collect, requestsSince } from './helpers/sim-client.ts';

describe('Class: AtlasClient › retries, deadlines and faults', () => {
  let sim: Simulator;
  let orgId: string;
  const fast = { retry: { baseDelayMs: 50, maxDelayMs: 400 }, random: () => 0.5 };
  const ofType = <T extends ClientEvent['type']>(events: ClientEvent[], type: T) =>
    events.filter((event): event is Extract<ClientEvent, { type: T }> => event.type === type);

  beforeAll(async () => {
    sim = await startSimulator({ seed: { keysPerOrg: 9 } });
    orgId = sim.workers[0]!.orgId;
  });
  afterEach(() => sim.clearFaults());
  afterAll(async () => {
    await sim.close();
  });

  it('429 with Retry-After: waits that long, then succeeds', async () => {
    const { client, events } = clientFor(sim, 'oauth', 'atlas', fast);
    await client.getOrg(orgId); // token first, so the timing below is the retry alone
    sim.addFault({ method: 'GET', path: `/orgs/${orgId}`, times: 1, fault: { kind: 'status', status: 429, retryAfterSeconds: 1 } });
    const started = Date.now();
    const org = await client.getOrg(orgId);
    const elapsed = Date.now() - started;
    await client.close();
    expect(org.id).toBe(orgId);
    expect(elapsed).toBeGreaterThanOrEqual(950);
    expect(ofType(events, 'rate-limited')).toEqual([
      { type: 'rate-limited', method: 'GET', path: `/api/atlas/v2/orgs/${orgId}`, retryAfterMs: 1000 },
    ]);
    expect(ofType(events, 'retry')).toEqual([
      { type: 'retry', method: 'GET', path: `/api/atlas/v2/orgs/${orgId}`, attempt: 1, delayMs: 1000, reason: 'rate-limited' },
    ]);
  });

  it('429 without Retry-After: exponential backoff with full jitter', async () => {
    const { client, events } = clientFor(sim, 'oauth', 'atlas', fast);
    sim.addFault({ method: 'GET', path: `/orgs/${orgId}`, times: 2, fault: { kind: 'status', status: 429 } });
    await client.getOrg(orgId);
    await client.close();
    expect(ofType(events, 'retry').map((event) => event.delayMs)).toEqual([25, 50]); // 0.5 × 50, 0.5 × 100
    expect(ofType(events, 'rate-limited').every((event) => event.retryAfterMs === undefined)).toBe(true);
  });

  it.each([500, 502, 503, 504])('%i is retried', async (status) => {
    const { client, events } = clientFor(sim, 'digest', 'atlas', fast);
    sim.addFault({ method: 'DELETE', path: '/accessList/', times: 1, fault: { kind: 'status', status } });
    const key = sim.state.apiKeys.find((candidate) => candidate.orgId === orgId && candidate.id !== sim.workers[0]!.apiKeyId)!;
    const outcome = await client.deleteAccessListEntry(orgId, key.id, '192.0.2.123');
    await client.close();
    expect(outcome).toBe('already-absent');
    expect(ofType(events, 'retry').map((event) => event.reason)).toEqual([`status ${status}`]);
  });

  it('a connection reset mid-response is retried', async () => {
    const { client, events } = clientFor(sim, 'oauth', 'atlas', fast);
    sim.addFault({ method: 'GET', path: '/apiKeys', times: 1, fault: { kind: 'reset' } });
    const keys = await collect(client.listOrgKeys(orgId));
    await client.close();
    expect(keys).toHaveLength(10);
    expect(ofType(events, 'retry').map((event) => event.reason)).toEqual(['network']);
  });

  it('gives up after maxAttempts with the last error and the attempt count', async () => {
    const { client } = clientFor(sim, 'oauth', 'atlas', { ...fast, retry: { ...fast.retry, maxAttempts: 3 } });
    await client.getOrg(orgId);
    sim.addFault({ method: 'GET', path: `/orgs/${orgId}`, fault: { kind: 'status', status: 503 } });
    const from = sim.requests.length;
    const error = await client.getOrg(orgId).catch((thrown: unknown) => thrown);
    await client.close();
    expect(error).toBeInstanceOf(AtlasApiError);
    expect(error).toMatchObject({ status: 503, attempts: 3 });
    expect(requestsSince(sim, from)).toHaveLength(3);
  });

  it('a non-retryable 4xx fails at once', async () => {
    const { client, events } = clientFor(sim, 'oauth', 'atlas', fast);
    sim.addFault({ method: 'GET', path: `/orgs/${orgId}`, fault: { kind: 'status', status: 403, errorCode: 'ACCESS_FORBIDDEN' } });
    const error = await client.getOrg(orgId).catch((thrown: unknown) => thrown);
    await client.close();
    expect(error).toMatchObject({ kind: 'http', status: 403, errorCode: 'ACCESS_FORBIDDEN' });
    expect(ofType(events, 'retry')).toEqual([]);
  });

  it('a hang with a deadline 1 s out ends within ~1.2 s with a deadline error', async () => {
    const { client } = clientFor(sim, 'oauth', 'atlas', fast);
    await client.getOrg(orgId);
    sim.addFault({ method: 'GET', path: `/orgs/${orgId}`, fault: { kind: 'hang' } });
    const started = Date.now();
    const error = await client.getOrg(orgId, { deadline: started + 1000 }).catch((thrown: unknown) => thrown);
    const elapsed = Date.now() - started;
    await client.close();
    expect(error).toBeInstanceOf(AtlasDeadlineError);
    expect(elapsed).toBeGreaterThanOrEqual(990);
    expect(elapsed).toBeLessThan(1200);
  });

  it('a headers timeout is a retryable timeout error', async () => {
    const { client, events } = clientFor(sim, 'oauth', 'atlas', { ...fast, timeouts: { headersMs: 200 }, retry: { ...fast.retry, maxAttempts: 2 } });
    await client.getOrg(orgId);
    sim.addFault({ method: 'GET', path: `/orgs/${orgId}`, fault: { kind: 'hang' } });
    const error = await client.getOrg(orgId).catch((thrown: unknown) => thrown);
    await client.close();
    expect(error).toBeInstanceOf(AtlasTimeoutError);
    expect(ofType(events, 'retry').map((event) => event.reason)).toEqual(['timeout']);
  });

  it('does not sleep past the deadline: a Retry-After beyond it fails at once with the 429', async () => {
    const { client } = clientFor(sim, 'oauth', 'atlas', fast);
    await client.getOrg(orgId);
    sim.addFault({ method: 'GET', path: `/orgs/${orgId}`, times: 1, fault: { kind: 'status', status: 429, retryAfterSeconds: 30 } });
    const started = Date.now();
    const error = await client.getOrg(orgId, { deadline: started + 2000 }).catch((thrown: unknown) => thrown);
    await client.close();
    expect(Date.now() - started).toBeLessThan(500);
    expect(error).toMatchObject({ status: 429, errorCode: 'RATE_LIMITED', retryAfterMs: 30_000 });
  });

  it("the caller's signal aborts a call", async () => {
    const { client } = clientFor(sim, 'oauth', 'atlas', fast);
    await client.getOrg(orgId);
    sim.addFault({ method: 'GET', path: `/orgs/${orgId}`, fault: { kind: 'hang' } });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const error = await client.getOrg(orgId, { signal: controller.signal }).catch((thrown: unknown) => thrown);
    await client.close();
    expect(error).toBeInstanceOf(AtlasAbortedError);
  });

  it('a truncated body is an AtlasMalformedResponseError, not a crash', async () => {
    const { client } = clientFor(sim, 'oauth', 'atlas', fast);
    sim.addFault({ method: 'GET', path: '/apiKeys', times: 1, fault: { kind: 'malformed' } });
    const error = await collect(client.listOrgKeys(orgId)).catch((thrown: unknown) => thrown);
    await client.close();
    expect(error).toBeInstanceOf(AtlasMalformedResponseError);
    expect(error).toMatchObject({ kind: 'malformed-response', status: 200 });
  });

  it('logs Deprecation and Sunset headers... none from the simulator: no deprecation events', async () => {
    const { client, events } = clientFor(sim, 'oauth', 'atlas', fast);
    await client.getOrg(orgId);
    await client.close();
    expect(ofType(events, 'deprecation')).toEqual([]);
    expect(ofType(events, 'response').map((event) => event.status)).toEqual([200]);
  });
});
