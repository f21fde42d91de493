import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { createAtlasClient } from '../../lambda/atlas/index.ts';
import { createRuntime } from '../../lambda/runtime/create-runtime.ts';
import { startSimulator } from '../../sim/index.ts';
import type { Simulator } from '../../sim/types.ts';
import { diffState, type Intended, intendedFromAudit, snapshot } from '../faults/fault-harness.ts';
import sqsSample from '../fixtures/sqs-event.json' with { type: 'json' };
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
      KEY_POLICY: JSON.stringify({ orgs: [{ orgId: worker.orgId }], dryRun: false, maxDeletionsPerRun: 1000 }),
      WORK_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/123456789012/atlas-key-worker',
    },
    { secretsManager: new SecretsManagerClient({ region: 'us-east-1' }), sqs: new SQSClient({ region: 'us-east-1' }), client: FAST },
  );
}

function sqsEvent(bodies: readonly unknown[], prefix: string): SQSEvent {
  const [sample] = sqsSample.Records;
  return { Records: bodies.map((body, i) => ({ ...sample!, messageId: `${prefix}-${i}`, body: JSON.stringify(body) }) as SQSRecord) };
}

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
    const commands: Record<string, unknown>[] = [
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
    // Prepare: the command's key listing is slow; while it is in flight, another worker deletes the key
    sim = await startSimulator({ seed: { keysPerOrg: 10, now: new Date() } });
    const s = sim;
    const worker = s.workers[0]!;
    const target = s.state.apiKeys.find((k) => k.id !== worker.apiKeyId && new Set(k.accessList.map((e) => e.cidrBlock)).size >= 2)!;
    secretsMock.reset();
    // OAuth: the first API request is the listing itself (a Digest client's first one draws the challenge).
    secretsMock.on(GetSecretValueCommand).resolves({
      SecretString: JSON.stringify({ clientId: worker.clientId, clientSecret: worker.clientSecret, baseUrl: s.baseUrl }),
    });
    const runtime = container(s);
    runtimes.push(runtime);
    const other = createAtlasClient({
      baseUrl: s.baseUrl,
      flavor: 'atlas',
      credentials: { kind: 'digest', publicKey: worker.publicKey, privateKey: worker.privateKey },
    });
    s.addFault({ method: 'GET', path: new RegExp(`/orgs/${worker.orgId}/apiKeys$`), times: 1, fault: { kind: 'latency', ms: 400 } });
    const output = captureOutput();

    // Act
    let response: SQSBatchResponse;
    try {
      const handled = runtime.handle(
        sqsEvent([{ action: 'pruneAccessListEntry', orgId: worker.orgId, apiUserId: target.id, entry: target.accessList[0]!.cidrBlock }], 'race'),
        lambdaContext(30_000),
      );
      await new Promise((resolve) => setTimeout(resolve, 150));
      await other.deleteOrgKey(worker.orgId, target.id);
      response = (await handled) as SQSBatchResponse;
    } finally {
      output.stop();
      await other.close();
    }

    // Assess: the race did happen (the listing saw the key, the access-list read did not)
    expect(s.requests.filter((r) => r.url.includes(`/apiKeys/${target.id}/accessList`)).map((r) => r.status)).toEqual([404]);
    expect(response.batchItemFailures).toEqual([]);
    const audit = output.records().filter((r) => r['audit'] === true);
    expect(audit.map((r) => [r['kind'], r['outcome']])).toEqual([['pruneAccessListEntry', 'already-absent']]);
  });
});
