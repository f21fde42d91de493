import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { QueryCommand } from '@aws-sdk/client-dynamodb';
import type { SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REVOCATION_DETAIL_TYPE } from '../../lambda/commands/index.ts';
import { startSimulator } from '../../sim/index.ts';
import type { SimAccessListEntry, SimApiKey, SimState, Simulator } from '../../sim/types.ts';
import { type Dynalite, startDynalite } from '../helpers/dynalite.ts';
import { startLocalSecretsManager } from '../helpers/local-secrets-manager.ts';
import { type ArtifactProcess, startArtifactProcess } from './artifact-process.ts';
import {
  type CfnResource,
  consumerOf,
  type DeployedFunction,
  deployedEnvironment,
  deployedFunction,
  queuesConsumed,
  ruleTargets,
  type Synthesized,
  synthesize,
} from './deployed-artifact.ts';
import { type SentMessage, startLocalSqs } from './local-sqs.ts';

const ACCOUNT = '123456789012';
const REGION = 'eu-west-1';
const ORG_ID = '5f1a2b3c4d5e6f7a8b9c0d1e';
const PROJECT_ID = '5f1a2b3c4d5e6f7a8b9c0d20';
const SECRET_ARN = `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:atlas-key-worker/credentials-AbCdEf`;
const DAY_MS = 86_400_000;
/** Fresh processes whose bundle load is timed (the median is reported). */
const LOADS = 5;

/** Ages in days of each key's access-list entries (`null`: created that long ago, never used). */
interface KeySpec {
  readonly id: string;
  readonly publicKey: string;
  readonly roles: SimApiKey['roles'];
  readonly entries: ReadonlyArray<{ readonly address: string; readonly usedDaysAgo: number }>;
}

const orgRole = (roleName: string) => ({ orgId: ORG_ID, roleName });
const projectRole = (roleName: string) => ({ groupId: PROJECT_ID, roleName });

/**
 * The org the deployed worker meets, one key per rule of the default policy (idle 90 days: unassign; 180: delete;
 * entries idle 90 days: pruned unless the key's newest evidence; no entries: reported only). Ages are far from
 * every threshold, so the real clock of the child process decides the same way on any day.
 */
const KEYS = {
  self: { id: '6a0000000000000000000001', publicKey: 'selfkeyy', roles: [orgRole('ORG_OWNER')], entries: [{ address: '127.0.0.1', usedDaysAgo: 0.04 }] },
  stale: {
    id: '6a0000000000000000000002',
    publicKey: 'stalekey',
    roles: [orgRole('ORG_MEMBER'), projectRole('GROUP_READ_ONLY')],
    entries: [{ address: '198.51.100.7', usedDaysAgo: 400 }],
  },
  idle: {
    id: '6a0000000000000000000003',
    publicKey: 'idlekeyy',
    roles: [orgRole('ORG_MEMBER'), projectRole('GROUP_OWNER')],
    entries: [{ address: '198.51.100.8', usedDaysAgo: 120 }],
  },
  mixed: {
    id: '6a0000000000000000000004',
    publicKey: 'mixedkey',
    roles: [orgRole('ORG_MEMBER'), projectRole('GROUP_DATA_ACCESS_READ_WRITE')],
    entries: [
      { address: '203.0.113.5', usedDaysAgo: 2 },
      { address: '203.0.113.6', usedDaysAgo: 200 },
    ],
  },
  fresh: { id: '6a0000000000000000000005', publicKey: 'freshkey', roles: [orgRole('ORG_READ_ONLY')], entries: [{ address: '192.0.2.10', usedDaysAgo: 1 }] },
  leaked: {
    id: '6a0000000000000000000006',
    publicKey: 'leakedky',
    roles: [orgRole('ORG_MEMBER'), projectRole('GROUP_OWNER')],
    entries: [{ address: '192.0.2.11', usedDaysAgo: 1 }],
  },
  unknown: { id: '6a0000000000000000000007', publicKey: 'noaclkey', roles: [orgRole('ORG_MEMBER')], entries: [] },
} satisfies Record<string, KeySpec>;

function orgState(nowMs: number): SimState {
  const iso = (daysAgo: number) => `${new Date(nowMs - daysAgo * DAY_MS).toISOString().slice(0, 19)}Z`;
  const entry = (address: string, usedDaysAgo: number): SimAccessListEntry => ({
    cidrBlock: address,
    ipAddress: address,
    created: iso(usedDaysAgo + 30),
    lastUsed: iso(usedDaysAgo),
    lastUsedAddress: address,
    count: 7,
  });
  return {
    orgs: [{ id: ORG_ID, name: 'artifact-org' }],
    projects: [{ id: PROJECT_ID, name: 'artifact-org-prod', orgId: ORG_ID, created: iso(700) }],
    apiKeys: Object.values(KEYS).map((key: KeySpec) => ({
      id: key.id,
      publicKey: key.publicKey,
      // Distinct and unguessable: the leak check searches every output for them.
      privateKey: randomUUID(),
      desc: key.publicKey,
      orgId: ORG_ID,
      roles: [...key.roles],
      accessList: key.entries.map((e) => entry(e.address, e.usedDaysAgo)),
    })),
    serviceAccounts: [],
  };
}

/** Lambda's EventBridge time format: seconds, `Z`. */
const eventTime = () => `${new Date().toISOString().slice(0, 19)}Z`;

/** An SQS batch as Lambda's event source mapping delivers it from `queueArn`. */
function sqsBatch(queueArn: string, messages: ReadonlyArray<Pick<SentMessage, 'messageId' | 'body' | 'messageGroupId' | 'messageDeduplicationId'>>): SQSEvent {
  const now = String(Date.now());
  return {
    Records: messages.map((message, index) => ({
      messageId: message.messageId,
      receiptHandle: `AQEB${randomUUID()}`,
      body: message.body,
      attributes: {
        ApproximateReceiveCount: '1',
        SentTimestamp: now,
        SenderId: 'AROAEXAMPLEROLEID:artifact-test',
        ApproximateFirstReceiveTimestamp: now,
        ...(message.messageGroupId === undefined
          ? {}
          : { SequenceNumber: String(18_849_496_460_467_696_128n + BigInt(index)), MessageGroupId: message.messageGroupId }),
        ...(message.messageDeduplicationId === undefined ? {} : { MessageDeduplicationId: message.messageDeduplicationId }),
      },
      messageAttributes: {},
      md5OfBody: createHash('md5').update(message.body).digest('hex'),
      eventSource: 'aws:sqs',
      eventSourceARN: queueArn,
      awsRegion: REGION,
    })),
  };
}

function chunk<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let start = 0; start < items.length; start += size) chunks.push(items.slice(start, start + size));
  return chunks;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** JSON lines of a process's stdout (Powertools log records and EMF documents). */
function jsonLines(text: string): Array<Record<string, unknown>> {
  return text
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('The shipped artifact (the bundle `cdk synth` staged) runs as Lambda runs it', () => {
  // GIVEN the walk-through's live deployment, synthesized into a temporary cloud assembly
  let outdir: string;
  let synthesized: Synthesized;
  let workerFunction: DeployedFunction;
  let urgentFunction: DeployedFunction;
  let workQueueUrl: string;
  let urgentQueueUrl: string;
  let workBatchSize: number;
  let revocationSources: string[];
  let scheduleRuleId: string;
  // AND local stand-ins for everything the functions call
  let sim: Simulator;
  let dynalite: Dynalite;
  let secrets: Awaited<ReturnType<typeof startLocalSecretsManager>>;
  let sqs: Awaited<ReturnType<typeof startLocalSqs>>;
  let secretValue: string;
  /** Every key's private key, the deleted ones' included. */
  let privateKeys: string[];
  let worker: ArtifactProcess;
  let urgent: ArtifactProcess;
  const awsSecrets = { AWS_SECRET_ACCESS_KEY: `local-${randomUUID()}`, AWS_SESSION_TOKEN: `local-${randomUUID()}` };

  const queueArn = (url: string) => `arn:aws:sqs:${REGION}:${ACCOUNT}:${url.slice(url.lastIndexOf('/') + 1)}`;
  const physicalName = (logicalId: string) => `${synthesized.stackName}-${logicalId}-1LOCAL2TEST3`;
  const keyInSim = (id: string) => sim.state.apiKeys.find((key) => key.id === id);
  /** Requests that change state (token requests excluded), as `METHOD path`. */
  const writes = () => sim.requests.filter((r) => r.method !== 'GET' && !r.url.startsWith('/api/oauth/')).map((r) => `${r.method} ${r.url}`);
  const auditRecords = (instance: ArtifactProcess) => jsonLines(instance.output().stdout).filter((line) => line['audit'] === true);
  /** The org's items in the state table (budget days, next-due records). */
  const orgItems = async () =>
    (
      await dynalite.client.send(
        new QueryCommand({
          TableName: dynalite.tableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': { S: `org#${ORG_ID}` } },
          ConsistentRead: true,
        }),
      )
    ).Items ?? [];
  /** The budget's counters summed over the days (a run may straddle midnight UTC). */
  const budgetTotals = async () => {
    const totals: Record<string, number> = {};
    for (const item of (await orgItems()).filter((i) => i['sk']?.S?.startsWith('budget#'))) {
      for (const [name, value] of Object.entries(item)) {
        if ((name === 'used' || name.startsWith('count#')) && value.N !== undefined) totals[name] = (totals[name] ?? 0) + Number(value.N);
      }
    }
    return totals;
  };

  /** The function's environment as deployed, pointed at the local endpoints, plus what Lambda itself sets. */
  const lambdaEnvironment = (fn: DeployedFunction): Record<string, string> => {
    const deployed = deployedEnvironment(synthesized.template, fn.environment, (logicalId: string, resource: CfnResource) => {
      if (resource.Type === 'AWS::SQS::Queue') {
        return `${sqs.url}/${ACCOUNT}/${physicalName(logicalId)}${resource.Properties?.['FifoQueue'] === true ? '.fifo' : ''}`;
      }
      if (resource.Type === 'AWS::DynamoDB::Table') return physicalName(logicalId);
      throw new Error(`no local stand-in for ${resource.Type} ${logicalId}`);
    });
    const functionName = physicalName(fn.logicalId);
    return {
      ...deployed,
      PATH: '/usr/local/bin:/usr/bin:/bin',
      LANG: 'en_US.UTF-8',
      TZ: ':UTC',
      LAMBDA_TASK_ROOT: fn.assetDirectory,
      _HANDLER: `index.${fn.handlerExport}`,
      AWS_EXECUTION_ENV: `AWS_Lambda_${fn.runtime}`,
      AWS_REGION: REGION,
      AWS_DEFAULT_REGION: REGION,
      AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
      AWS_LAMBDA_FUNCTION_NAME: functionName,
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memoryMb),
      AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${functionName}`,
      AWS_LAMBDA_LOG_STREAM_NAME: '2026/01/01/[$LATEST]0123456789abcdef',
      AWS_XRAY_CONTEXT_MISSING: 'LOG_ERROR',
      AWS_XRAY_DAEMON_ADDRESS: '127.0.0.1:2000',
      AWS_ACCESS_KEY_ID: 'ASIALOCALARTIFACT',
      ...awsSecrets,
      // Local endpoints; no shared config file, no instance metadata: nothing leaves 127.0.0.1.
      AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.url,
      AWS_ENDPOINT_URL_DYNAMODB: dynalite.endpoint,
      AWS_ENDPOINT_URL_SQS: sqs.url,
      AWS_CONFIG_FILE: join(outdir, 'no-aws-config'),
      AWS_SHARED_CREDENTIALS_FILE: join(outdir, 'no-aws-credentials'),
      AWS_EC2_METADATA_DISABLED: 'true',
    };
  };
  const processOf = (fn: DeployedFunction) =>
    ({ bundlePath: fn.bundlePath, handlerExport: fn.handlerExport, env: lambdaEnvironment(fn), cwd: fn.assetDirectory }) as const;

  beforeAll(async () => {
    outdir = mkdtempSync(join(tmpdir(), 'akw-artifact-'));
    const policyFile = join(outdir, 'policy.json');
    writeFileSync(policyFile, JSON.stringify({ orgs: [{ orgId: ORG_ID }], dryRun: false }));
    synthesized = synthesize(join(outdir, 'cdk.out'), {
      secretArn: SECRET_ARN,
      policyFile,
      alarmEmail: 'secops@example.com',
      revocationSources: 'com.example.secret-scanner',
    });
    const { template } = synthesized;

    // Wiring, read from the template: the schedule's target, the revocation rule's queue, each queue's consumer.
    const scheduleTargets = ruleTargets(template, (rule) => typeof rule['ScheduleExpression'] === 'string');
    const revocationPattern = (rule: Record<string, unknown>) =>
      ((rule['EventPattern'] as { 'detail-type'?: string[] } | undefined)?.['detail-type'] ?? []).includes(REVOCATION_DETAIL_TYPE);
    const [urgentQueueId] = ruleTargets(template, revocationPattern);
    const rules = Object.entries(template.Resources).filter(([, r]) => r.Type === 'AWS::Events::Rule');
    const revocationRule = rules.find(([, r]) => revocationPattern(r.Properties ?? {}))?.[1].Properties ?? {};
    revocationSources = (revocationRule['EventPattern'] as { source: string[] }).source;
    scheduleRuleId = rules.find(([, r]) => typeof r.Properties?.['ScheduleExpression'] === 'string')?.[0] ?? '';
    const workQueueId = queuesConsumed(template).find((id) => template.Resources[id]?.Properties?.['FifoQueue'] === true);
    expect(workQueueId).toBeDefined();
    expect(urgentQueueId).toBeDefined();
    const workConsumer = consumerOf(template, workQueueId!);
    const urgentConsumer = consumerOf(template, urgentQueueId!);
    workBatchSize = workConsumer.batchSize;
    // The schedule and the work lane drive the worker function; the urgent lane its own.
    expect(new Set(scheduleTargets)).toEqual(new Set([workConsumer.functionId]));
    expect(urgentConsumer.functionId).not.toBe(workConsumer.functionId);
    workerFunction = deployedFunction(synthesized, workConsumer.functionId);
    urgentFunction = deployedFunction(synthesized, urgentConsumer.functionId);

    const tableIds = Object.keys(template.Resources).filter((id) => template.Resources[id]?.Type === 'AWS::DynamoDB::Table');
    expect(tableIds).toHaveLength(1);
    const fixture = orgState(Date.now());
    privateKeys = fixture.apiKeys.map((key) => key.privateKey);
    sim = await startSimulator({ fixture });
    dynalite = await startDynalite({ tableName: physicalName(tableIds[0]!) });
    const self = keyInSim(KEYS.self.id)!;
    secretValue = JSON.stringify({ publicKey: self.publicKey, privateKey: self.privateKey, baseUrl: sim.baseUrl });
    secrets = await startLocalSecretsManager(new Map([[SECRET_ARN, secretValue]]));
    sqs = await startLocalSqs();
    workQueueUrl = lambdaEnvironment(workerFunction)['WORK_QUEUE_URL']!;
    urgentQueueUrl = lambdaEnvironment(urgentFunction)['URGENT_QUEUE_URL']!;

    // WHEN each function's bundle is loaded by a plain node process with that function's environment (a cold start)
    worker = await startArtifactProcess(processOf(workerFunction));
    urgent = await startArtifactProcess(processOf(urgentFunction));
  }, 900_000);

  afterAll(async () => {
    await Promise.allSettled([worker?.close(), urgent?.close()]);
    await Promise.allSettled([sim?.close(), dynalite?.close(), secrets?.close(), sqs?.close()]);
    if (outdir !== undefined) rmSync(outdir, { recursive: true, force: true });
  });

  it('stages one bundle for both functions, which loads with the deployed environment and exports the handler', () => {
    expect(urgentFunction.bundlePath).toBe(workerFunction.bundlePath);
    expect(workerFunction.environment['ATLAS_SECRET_ID']).toBe(SECRET_ARN);
    expect(JSON.parse(lambdaEnvironment(workerFunction)['KEY_POLICY']!)).toMatchObject({ orgs: [{ orgId: ORG_ID }], dryRun: false });
    expect(workQueueUrl.endsWith('.fifo')).toBe(true);
    expect(worker.handlerType).toBe('function');
    expect(urgent.handlerType).toBe('function');
    // Loading touches nothing: no secret read, no Atlas request, before the first invocation.
    expect(secrets.calls).toEqual([]);
    expect(sim.requests).toEqual([]);
  });

  it('fans the scheduled event out to the FIFO work lane: one sweep per org, in its org’s message group', async () => {
    // WHEN EventBridge's schedule rule invokes the worker
    const result = await worker.invoke(
      {
        version: '0',
        id: randomUUID(),
        'detail-type': 'Scheduled Event',
        source: 'aws.events',
        account: ACCOUNT,
        time: eventTime(),
        region: REGION,
        resources: [`arn:aws:events:${REGION}:${ACCOUNT}:rule/${physicalName(scheduleRuleId)}`],
        detail: {},
      },
      workerFunction.timeoutSeconds * 1000,
    );

    // THEN one sweep message went through the real SQS client to the work lane, grouped and deduplicated
    expect(result).toEqual({ fannedOut: 1 });
    expect(sqs.messages).toHaveLength(1);
    const [message] = sqs.messages;
    expect(message?.queueUrl).toBe(workQueueUrl);
    expect(JSON.parse(message?.body ?? '')).toEqual({ action: 'sweep', orgId: ORG_ID });
    expect(message?.messageGroupId).toBe(ORG_ID);
    expect(message?.messageDeduplicationId).toMatch(/^[0-9a-f]{64}$/);
    // The fan-out itself reads no Atlas data.
    expect(sim.requests).toEqual([]);
  });

  it('sweeps the org from the work-lane batch: stale key deleted, idle key unassigned, stale entry pruned, budget in DynamoDB', async () => {
    // WHEN the work lane delivers what the schedule enqueued, in batches of the event source's size
    const fanOut = sqs.messages.filter((message) => message.queueUrl === workQueueUrl);
    const batches = chunk(fanOut, workBatchSize);
    const results = [];
    for (const batch of batches) {
      results.push(await worker.invoke(sqsBatch(queueArn(workQueueUrl), batch), workerFunction.timeoutSeconds * 1000));
    }

    // THEN no record failed
    expect(batches.length).toBeGreaterThan(0);
    expect(results).toEqual(batches.map(() => ({ batchItemFailures: [] })));
    // AND Atlas received exactly the planned writes, each answered with success
    const base = `/api/atlas/v2`;
    expect(writes().sort()).toEqual(
      [
        `DELETE ${base}/orgs/${ORG_ID}/apiKeys/${KEYS.stale.id}`,
        `DELETE ${base}/groups/${PROJECT_ID}/apiKeys/${KEYS.idle.id}`,
        `DELETE ${base}/orgs/${ORG_ID}/apiKeys/${KEYS.mixed.id}/accessList/203.0.113.6`,
      ].sort(),
    );
    expect(sim.requests.filter((r) => r.method !== 'GET').every((r) => r.status >= 200 && r.status < 300)).toBe(true);
    // AND the org is as the policy says it should be
    expect(keyInSim(KEYS.stale.id)).toBeUndefined();
    expect(keyInSim(KEYS.idle.id)?.roles).toEqual([orgRole('ORG_MEMBER')]);
    expect(keyInSim(KEYS.mixed.id)?.accessList.map((entry) => entry.cidrBlock)).toEqual(['203.0.113.5']);
    for (const key of [KEYS.self, KEYS.fresh, KEYS.leaked, KEYS.unknown]) {
      expect(keyInSim(key.id)?.roles).toEqual(key.roles);
      expect(keyInSim(key.id)?.accessList.map((entry) => entry.cidrBlock)).toEqual(key.entries.map((entry) => entry.address));
    }
    // AND the audit log holds one record per write, done
    const done = auditRecords(worker).map((record) => `${String(record['kind'])} ${String(record['apiUserId'])} ${String(record['outcome'])}`);
    expect(done.sort()).toEqual(
      [`deleteOrgKey ${KEYS.stale.id} done`, `unassignFromProject ${KEYS.idle.id} done`, `pruneAccessListEntry ${KEYS.mixed.id} done`].sort(),
    );
    // AND every write was reserved in the state table's write budget first
    expect(await budgetTotals()).toEqual({ used: 3, 'count#deleteOrgKey': 1, 'count#unassignFromProject': 1, 'count#pruneAccessListEntry': 1 });
    // AND the next-due record of every key left in the org is there for the next, incremental, sweep
    const sortKeys = (await orgItems()).map((item) => item['sk']?.S);
    for (const key of sim.state.apiKeys) expect(sortKeys).toContain(`key#${key.id}`);
    // AND the sweep completed (the heartbeat metric, per org), so nothing was continued through the lane
    const heartbeats = jsonLines(worker.output().stdout).filter((line) => line['SweepsCompleted'] === 1 && line['orgId'] === ORG_ID);
    expect(heartbeats).toHaveLength(1);
    expect(sqs.messages).toEqual(fanOut);
    // AND the secret was read once, by its complete ARN, through the SDK's Secrets Manager client
    expect(secrets.calls).toEqual([`secretsmanager.GetSecretValue ${SECRET_ARN}`]);
  });

  it('revokes the leaked key from the revocation event the EventBridge rule puts on the urgent lane', async () => {
    const writesBefore = writes();
    // GIVEN the event a secret scanner put on the bus, as the rule delivers it (whole, unchanged) to the urgent lane
    const event = {
      version: '0',
      id: randomUUID(),
      'detail-type': REVOCATION_DETAIL_TYPE,
      source: revocationSources[0],
      account: ACCOUNT,
      time: eventTime(),
      region: REGION,
      resources: [],
      detail: { orgId: ORG_ID, publicKey: KEYS.leaked.publicKey, reason: 'found in a public repository' },
    };

    // WHEN the urgent function receives it
    const result = await urgent.invoke(
      sqsBatch(queueArn(urgentQueueUrl), [{ messageId: randomUUID(), body: JSON.stringify(event) }]),
      urgentFunction.timeoutSeconds * 1000,
    );

    // THEN the record succeeded and the leaked key is gone, nothing else touched
    expect(result).toEqual({ batchItemFailures: [] });
    expect(keyInSim(KEYS.leaked.id)).toBeUndefined();
    expect(writes()).toEqual([...writesBefore, `DELETE /api/atlas/v2/orgs/${ORG_ID}/apiKeys/${KEYS.leaked.id}`]);
    expect(sim.state.apiKeys.map((key) => key.id).sort()).toEqual([KEYS.self.id, KEYS.idle.id, KEYS.mixed.id, KEYS.fresh.id, KEYS.unknown.id].sort());
    const records = auditRecords(urgent);
    expect(records.map((record) => [record['kind'], record['apiUserId'], record['outcome']])).toEqual([['deleteOrgKey', KEYS.leaked.id, 'done']]);
    // AND the revocation is counted in the org's budget (counted, never refused), and enqueued nothing
    expect(await budgetTotals()).toMatchObject({ used: 4, 'count#deleteOrgKey': 2 });
    expect(sqs.messages).toHaveLength(1);
    // AND the urgent function, a separate instance, read the secret itself
    expect(secrets.calls).toEqual([`secretsmanager.GetSecretValue ${SECRET_ARN}`, `secretsmanager.GetSecretValue ${SECRET_ARN}`]);
  });

  it('writes no secret value to stdout or stderr', async () => {
    // WHEN both instances have finished
    const exitCodes = await Promise.all([worker.close(), urgent.close()]);
    const outputs = [worker.output(), urgent.output()];

    // THEN they exited cleanly, having logged their work (the search below looked at real logs)
    expect(exitCodes).toEqual([0, 0]);
    expect(outputs.every(({ stdout }) => stdout.includes('"audit":true'))).toBe(true);
    // AND no credential appears anywhere in what they wrote
    const text = outputs.map(({ stdout, stderr }) => `${stdout}\n${stderr}`).join('\n');
    for (const value of [secretValue, ...privateKeys, ...Object.values(awsSecrets)]) expect(text).not.toContain(value);
  });

  it('loads in a fresh process in a measured time (reported, not asserted)', async () => {
    // WHEN the bundle is loaded by LOADS fresh processes, one after the other, with the worker's environment
    const loads: Array<{ wall: number; cpu: number }> = [];
    for (let index = 0; index < LOADS; index += 1) {
      const load = await startArtifactProcess(processOf(workerFunction), 'load-only');
      expect(load.handlerType).toBe('function');
      expect(await load.close()).toBe(0);
      loads.push({ wall: load.loadMs, cpu: load.loadCpuMs });
    }
    // THEN (for the closing note; the machine's load decides the number, so no assertion on it)
    const kib = Math.round(statSync(workerFunction.bundlePath).size / 1024);
    const ms = (values: number[]) => values.map((value) => value.toFixed(0)).join(', ');
    console.info(
      `[artifact] ${workerFunction.bundlePath.split('/').slice(-2).join('/')} (${kib} KiB), module load (import + init) over ` +
        `${LOADS} cold processes: median ${median(loads.map((l) => l.wall)).toFixed(0)} ms wall [${ms(loads.map((l) => l.wall))}], ` +
        `${median(loads.map((l) => l.cpu)).toFixed(0)} ms CPU [${ms(loads.map((l) => l.cpu))}]; first loads of the worker / urgent ` +
        `instances (right after synthesis) ${worker.loadMs.toFixed(0)} / ${urgent.loadMs.toFixed(0)} ms wall, ` +
        `${worker.loadCpuMs.toFixed(0)} / ${urgent.loadCpuMs.toFixed(0)} ms CPU; load average ${loadavg()[0]?.toFixed(1)} on ${availableParallelism()} cores`,
    );
    expect(loads).toHaveLength(LOADS);
  });
});
