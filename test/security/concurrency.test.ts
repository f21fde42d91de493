import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { createRuntime } from '../../lambda/runtime/create-runtime.ts';
import { startSimulator } from '../../sim/index.ts';
import type { SimApiKey, Simulator } from '../../sim/types.ts';
import { diffState, type Intended, intendedFromAudit, snapshot } from '../faults/fault-harness.ts';
import { type Body, WORK_QUEUE_URL, workLaneEvent } from '../fixtures/sqs-lanes.ts';
import { captureOutput } from '../helpers/capture-output.ts';
import { lambdaContext } from '../helpers/lambda-context.ts';

const secretsMock = mockClient(SecretsManagerClient);
const sqsMock = mockClient(SQSClient);
const FAST = { retry: { maxAttempts: 4, baseDelayMs: 5, maxDelayMs: 40 } };

type Scheme = 'digest' | 'oauth';
type Runtime = ReturnType<typeof createRuntime>;

/** One Lambda container: its own secret cache, Atlas clients, nonce or token. All read the same (mocked) secret. */
function container(sim: Simulator): Runtime {
  const worker = sim.workers[0]!;
  return createRuntime(
    {
      ATLAS_SECRET_ID: 'atlas-key-worker/credentials',
      KEY_POLICY: JSON.stringify({ orgs: [{ orgId: worker.orgId }], dryRun: false, maxWritesPerOrgPerDay: 1000 }),
      WORK_QUEUE_URL,
      // The client's pacing buckets refill 100 times faster than Atlas's: these tests are about safety, not pace.
      ATLAS_RATE_LIMIT_TIME_SCALE: '100',
    },
    { secretsManager: new SecretsManagerClient({ region: 'us-east-1' }), sqs: new SQSClient({ region: 'us-east-1' }), client: FAST },
  );
}

/**
 * A batch of the FIFO work lane, where sweeps, prunes and unassignments must arrive. Each container here takes
 * its own batch at once: one writer per org is what the lane gives a deployment, and these tests show what
 * still holds without it (the CLI, a direct invocation, a human in the UI).
 */
const sqsEvent = (bodies: readonly Body[], prefix: string) => workLaneEvent(bodies, prefix);

/** Identity of an action across runs and commands: what it changes. */
const identity = (r: Record<string, unknown>) => [r['kind'], r['apiUserId'], r['groupId'] ?? '', r['entry'] ?? ''].join('|');

describe('Safety under concurrency', () => {
  let sim: Simulator | undefined;
  const runtimes: Runtime[] = [];

  afterEach(async () => {
    for (const runtime of runtimes.splice(0)) await runtime.session.close();
    await sim?.close();
    sim = undefined;
  });

  async function setUp(scheme: Scheme, seed: number): Promise<{ sim: Simulator; plan: Intended; orgId: string }> {
    // A little latency on every answer, so that the two runs really interleave.
    sim = await startSimulator({ latencyMs: 8, seed: { seed, keysPerOrg: 40, staleFraction: 0.35, projectsPerOrg: 3, now: new Date() } });
    const s = sim;
    const worker = s.workers[0]!;
    secretsMock.reset();
    sqsMock.reset();
    sqsMock.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [] });
    secretsMock.on(GetSecretValueCommand).resolves({
      SecretString: JSON.stringify(
        scheme === 'digest'
          ? { publicKey: worker.publicKey, privateKey: worker.privateKey, baseUrl: s.baseUrl }
          : { clientId: worker.clientId, clientSecret: worker.clientSecret, baseUrl: s.baseUrl },
      ),
    });
    const planner = container(s);
    runtimes.push(planner);
    const output = captureOutput();
    let report: { results: Record<string, unknown>[] };
    try {
      report = (await planner.handle({ action: 'sweep', orgId: worker.orgId, dryRun: true }, lambdaContext(30_000))) as typeof report;
    } finally {
      output.stop();
    }
    const plan = intendedFromAudit(report.results);
    expect(plan.deletes.size).toBeGreaterThan(2);
    expect(plan.prunes.size).toBeGreaterThan(2);
    return { sim: s, plan, orgId: worker.orgId };
  }

  /** Every action's outcomes: none failed, at most one `done` per change, the rest `already-absent`. */
  function expectOutcomes(audit: readonly Record<string, unknown>[]): void {
    expect(audit.filter((r) => r['outcome'] === 'failed').map((r) => `${identity(r)} ${String(r['detail'])}`)).toEqual([]);
    expect([...new Set(audit.map((r) => r['outcome']))].filter((o) => o !== 'done' && o !== 'already-absent')).toEqual([]);
    const done = new Map<string, number>();
    for (const r of audit) if (r['outcome'] === 'done') done.set(identity(r), (done.get(identity(r)) ?? 0) + 1);
    expect([...done].filter(([, count]) => count > 1)).toEqual([]);
  }

  it.each<[Scheme, number]>([
    ['digest', 1],
    ['oauth', 2],
    ['digest', 3],
  ])('two sweeps of the same org at once (%s, seed %i): the state ends as planned, the loser of each race is already-absent', async (scheme, seed) => {
    // Prepare
    const { sim: s, plan, orgId } = await setUp(scheme, seed);
    const before = snapshot(s);
    const [a, b] = [container(s), container(s)];
    runtimes.push(a, b);
    const output = captureOutput();

    // Act
    let responses: SQSBatchResponse[];
    try {
      responses = (await Promise.all([
        a.handle(sqsEvent([{ action: 'sweep', orgId }], 'a'), lambdaContext(30_000)),
        b.handle(sqsEvent([{ action: 'sweep', orgId }], 'b'), lambdaContext(30_000)),
      ])) as SQSBatchResponse[];
    } finally {
      output.stop();
    }

    // Assess
    expect(responses.flatMap((r) => r.batchItemFailures)).toEqual([]);
    expect(diffState(before, snapshot(s), plan)).toEqual({ unexpected: [], pending: [] });
    const audit = output.records().filter((r) => r['audit'] === true);
    expectOutcomes(audit);
    // Both sweeps acted: the races happened, and were lost gracefully.
    expect(audit.filter((r) => r['outcome'] === 'already-absent').length).toBeGreaterThan(0);
    expect(audit.filter((r) => r['outcome'] === 'done').length).toBe(plan.deletes.size + plan.prunes.size + plan.unassigns.size);
  });

  it.each<[Scheme, number]>([
    ['digest', 4],
    ['oauth', 5],
  ])('a sweep overlapping queue commands for the same keys (%s, seed %i): the state ends as planned, nothing fails', async (scheme, seed) => {
    // Prepare: commands that repeat parts of the plan, some on keys the sweep deletes
    const { sim: s, plan, orgId } = await setUp(scheme, seed);
    const before = snapshot(s);
    const key = (id: string) => s.state.apiKeys.find((k) => k.id === id)!;
    const deletes = [...plan.deletes];
    const prunes = [...plan.prunes].map((p) => p.split('|') as [string, string]);
    const unassigns = [...plan.unassigns].map((u) => u.split('|') as [string, string]);
    const deletedWithProject = deletes.find((id) => key(id).roles.some((r) => r.groupId));
    const deletedWithEntries = deletes.find((id) => id !== deletes[0] && key(id).accessList.length > 0);
    const commands: Body[] = [
      { action: 'deleteOrgKey', orgId, apiUserId: deletes[0] },
      { action: 'revokeKey', orgId, publicKey: key(deletes[1]!).publicKey, reason: 'overlap test' },
      { action: 'deleteOrgKey', orgId, apiUserId: deletes[2] },
      ...prunes.slice(0, 3).map(([apiUserId, entry]) => ({ action: 'pruneAccessListEntry', orgId, apiUserId, entry })),
      ...unassigns.slice(0, 2).map(([apiUserId, groupId]) => ({ action: 'revokeProjectKey', groupId, apiUserId })),
      // Commands about keys the sweep deletes: their goal is reached by that delete.
      ...(deletedWithProject
        ? [{ action: 'revokeProjectKey', groupId: key(deletedWithProject).roles.find((r) => r.groupId)!.groupId, apiUserId: deletedWithProject }]
        : []),
      ...(deletedWithEntries
        ? [{ action: 'pruneAccessListEntry', orgId, apiUserId: deletedWithEntries, entry: key(deletedWithEntries).accessList[0]!.cidrBlock }]
        : []),
    ];
    const [sweeper, commander] = [container(s), container(s)];
    runtimes.push(sweeper, commander);
    const output = captureOutput();

    // Act: the sweep and the batch at once; then the batch again (SQS may deliver a message twice)
    let responses: SQSBatchResponse[];
    try {
      responses = (await Promise.all([
        sweeper.handle(sqsEvent([{ action: 'sweep', orgId }], 'sweep'), lambdaContext(30_000)),
        commander.handle(sqsEvent(commands, 'cmd'), lambdaContext(30_000)),
      ])) as SQSBatchResponse[];
      responses.push((await commander.handle(sqsEvent(commands, 'again'), lambdaContext(30_000))) as SQSBatchResponse);
    } finally {
      output.stop();
    }

    // Assess
    expect(responses.flatMap((r) => r.batchItemFailures)).toEqual([]);
    expect(diffState(before, snapshot(s), plan)).toEqual({ unexpected: [], pending: [] });
    const audit = output.records().filter((r) => r['audit'] === true);
    expectOutcomes(audit);
    // One audit record per command and delivery (a revokeKey that had to fall back would add more: none did).
    expect(audit.filter((r) => String(r['reason']).startsWith('requested:'))).toHaveLength(2 * commands.length);
  });

  it('a prune whose key is deleted between the command looking it up and reading its access list is already-absent', async () => {
    // Prepare: another client deletes the key right after the command has read it, before the command re-reads
    // its access list (a hook on the simulator's requests: no timing involved)
    let target: SimApiKey | undefined;
    let deletedAfterLookup = false;
    sim = await startSimulator({
      seed: { keysPerOrg: 10, now: new Date() },
      onRequest: ({ method, url }) => {
        if (target === undefined || deletedAfterLookup || method !== 'GET' || !url.includes(`/apiKeys/${target.id}/accessList`)) return;
        const lookedUp = s.requests.some((r) => r.method === 'GET' && r.status === 200 && r.url.endsWith(`/apiKeys/${target!.id}`));
        if (!lookedUp) return;
        deletedAfterLookup = true;
        // A new array: the simulator's index notices the change.
        s.state.apiKeys = s.state.apiKeys.filter((k) => k.id !== target!.id);
      },
    });
    const s = sim;
    const worker = s.workers[0]!;
    target = s.state.apiKeys.find((k) => k.id !== worker.apiKeyId && new Set(k.accessList.map((e) => e.cidrBlock)).size >= 2)!;
    const { id, accessList } = target;
    secretsMock.reset();
    secretsMock.on(GetSecretValueCommand).resolves({
      SecretString: JSON.stringify({ publicKey: worker.publicKey, privateKey: worker.privateKey, baseUrl: s.baseUrl }),
    });
    const runtime = container(s);
    runtimes.push(runtime);
    const output = captureOutput();

    // Act
    let response: SQSBatchResponse;
    try {
      response = (await runtime.handle(
        sqsEvent([{ action: 'pruneAccessListEntry', orgId: worker.orgId, apiUserId: id, entry: accessList[0]!.cidrBlock }], 'race'),
        lambdaContext(30_000),
      )) as SQSBatchResponse;
    } finally {
      output.stop();
    }

    // Assess: the race did happen (the lookup saw the key, the access-list read did not); no write was sent
    expect(deletedAfterLookup).toBe(true);
    expect(s.requests.filter((r) => r.url.includes(`/apiKeys/${id}/accessList`) && r.status !== 401).map((r) => r.status)).toEqual([404]);
    expect(s.requests.filter((r) => r.method !== 'GET')).toEqual([]);
    expect(response.batchItemFailures).toEqual([]);
    const audit = output.records().filter((r) => r['audit'] === true);
    expect(audit.map((r) => [r['kind'], r['outcome'], r['detail']])).toEqual([
      ['pruneAccessListEntry', 'already-absent', 'the key no longer exists (its access list went with it)'],
    ]);
  });
});
