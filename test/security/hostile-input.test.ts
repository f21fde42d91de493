import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../lambda/cli/run-cli.ts';
import { createRuntime } from '../../lambda/runtime/create-runtime.ts';
import { startSimulator } from '../../sim/index.ts';
import type { Simulator } from '../../sim/types.ts';
import { ORG_ID, readFixture } from '../commands/factories.ts';
import sqsSample from '../fixtures/sqs-event.json' with { type: 'json' };
import { captureOutput } from '../helpers/capture-output.ts';
import { lambdaContext } from '../helpers/lambda-context.ts';

const secretsMock = mockClient(SecretsManagerClient);
const sqsMock = mockClient(SQSClient);

interface HostileMessage {
  readonly name: string;
  readonly input: unknown;
  readonly field: string;
  readonly generate?: 'oversized-text' | 'oversized-object' | 'oversized-multibyte' | 'deep-nesting';
}

interface HostileArgs {
  readonly name: string;
  /** Placeholders: @ORG @KEY @GROUP @PK (real ids of the simulator), @BASE, @POLICY, @MISSING, @DIR, @REPEAT:c:n. */
  readonly argv: readonly string[];
  /** What stderr must name: `error: <flag>`. */
  readonly flag: string;
  /** Content of the file @POLICY points to. */
  readonly policyFile?: string;
  /** Words the message must contain as well (so that a policy case cannot pass for the wrong reason). */
  readonly why?: string;
}

const messages = readFixture<HostileMessage[]>('hostile-messages.json');
const cliCases = readFixture<HostileArgs[]>('hostile-cli-args.json');

/** The SQS body a producer would have sent for a corpus entry (bodies are always text). */
function bodyOf(hostile: HostileMessage): string {
  const revoke = { action: 'revokeKey', orgId: ORG_ID, publicKey: 'zmmrboas' };
  switch (hostile.generate) {
    case 'oversized-text':
    case 'oversized-object':
      return JSON.stringify({ ...revoke, reason: 'x'.repeat(70_000) });
    case 'oversized-multibyte':
      return JSON.stringify({ ...revoke, reason: '€'.repeat(22_000) });
    case 'deep-nesting':
      return `{"action":"sweep","orgId":${'['.repeat(20_000)}${']'.repeat(20_000)}}`;
    default:
      return typeof hostile.input === 'string' ? hostile.input : JSON.stringify(hostile.input);
  }
}

describe('Hostile input', () => {
  let sim: Simulator;
  let dir: string;

  beforeAll(async () => {
    sim = await startSimulator({ seed: { keysPerOrg: 5 } });
    dir = await mkdtemp(join(tmpdir(), 'hostile-cli-'));
  });
  afterAll(async () => {
    await sim.close();
    await rm(dir, { recursive: true, force: true });
  });

  describe('queue messages through the handler', () => {
    it('has the whole corpus', () => {
      expect(messages.length).toBeGreaterThanOrEqual(135);
    });

    it('reports every record as a batch item failure whose logged reason names the field, and sends no request', async () => {
      // Prepare: a worker whose policy covers the corpus' org, a secret that would work, a queue that records
      secretsMock.reset();
      sqsMock.reset();
      const worker = sim.workers[0]!;
      secretsMock
        .on(GetSecretValueCommand)
        .resolves({ SecretString: JSON.stringify({ publicKey: worker.publicKey, privateKey: worker.privateKey, baseUrl: sim.baseUrl }) });
      sqsMock.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [] });
      const runtime = createRuntime(
        {
          ATLAS_SECRET_ID: 'atlas-key-worker/credentials',
          KEY_POLICY: JSON.stringify({ orgs: [{ orgId: ORG_ID }, { orgId: worker.orgId }], dryRun: false }),
          WORK_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/123456789012/atlas-key-worker',
        },
        { secretsManager: new SecretsManagerClient({ region: 'us-east-1' }), sqs: new SQSClient({ region: 'us-east-1' }) },
      );
      const [sample] = sqsSample.Records;
      const records = messages.map((hostile, index) => ({ ...sample!, messageId: `hostile-${index}`, body: bodyOf(hostile) }) as SQSRecord);
      const failures: string[] = [];
      const output = captureOutput();

      // Act: SQS delivers at most 10 records per event
      try {
        for (let start = 0; start < records.length; start += 10) {
          const event: SQSEvent = { Records: records.slice(start, start + 10) };
          const response = (await runtime.handle(event, lambdaContext(30_000))) as SQSBatchResponse;
          failures.push(...response.batchItemFailures.map((f) => f.itemIdentifier));
        }
      } finally {
        output.stop();
        await runtime.session.close();
      }

      // Assess
      expect(failures).toEqual(records.map((r) => r.messageId));
      const logged = new Map(
        output
          .records()
          .filter((r) => r['message'] === 'queue message failed; it will be retried, then moved to the DLQ')
          .map((r) => [String(r['messageId']), String(r['reason'])]),
      );
      const unnamed = messages.flatMap((hostile, index) => {
        const reason = logged.get(`hostile-${index}`) ?? '(not logged)';
        return reason.startsWith(`InputValidationError: ${hostile.field}: `) ? [] : [`${hostile.name}: ${reason.slice(0, 120)}`];
      });
      expect(unnamed).toEqual([]);
      expect(sim.requests).toEqual([]);
      expect(secretsMock.commandCalls(GetSecretValueCommand)).toEqual([]);
      expect(sqsMock.commandCalls(SendMessageBatchCommand)).toEqual([]);
      expect(output.records().some((r) => r['audit'] === true)).toBe(false);
    });
  });

  describe('CLI arguments (hostile-cli-args.json)', () => {
    it('has at least 50 cases with unique names', () => {
      expect(cliCases.length).toBeGreaterThanOrEqual(50);
      expect(new Set(cliCases.map((c) => c.name)).size).toBe(cliCases.length);
    });

    it.each(cliCases)('$name: exits 2 naming $flag, before any request', async (hostile) => {
      // Prepare: credentials that work, pointed at the simulator, so that anything let through would reach it
      const worker = sim.workers[0]!;
      const key = sim.state.apiKeys.find((k) => k.id !== worker.apiKeyId && k.roles.some((r) => r.groupId))!;
      const policyPath = join(dir, `${cliCases.indexOf(hostile)}.json`);
      const expand = (text: string) =>
        text
          .replaceAll('@ORG', worker.orgId)
          .replaceAll('@KEY', key.id)
          .replaceAll('@GROUP', key.roles.find((r) => r.groupId)!.groupId!)
          .replaceAll('@PK', key.publicKey)
          .replaceAll('@BASE', sim.baseUrl)
          .replaceAll('@POLICY', policyPath)
          .replaceAll('@MISSING', join(dir, 'no-such-policy.json'))
          .replaceAll('@DIR', dir)
          .replace(/^@REPEAT:(.):(\d+)$/, (_, char: string, count: string) => char.repeat(Number(count)));
      if (hostile.policyFile !== undefined) await writeFile(policyPath, expand(hostile.policyFile));
      const argv = hostile.argv.map(expand);
      let stdout = '';
      let stderr = '';
      const io = {
        env: {
          MONGODB_ATLAS_PUBLIC_API_KEY: worker.publicKey,
          MONGODB_ATLAS_PRIVATE_API_KEY: worker.privateKey,
          MONGODB_ATLAS_BASE_URL: sim.baseUrl,
        },
        stdout: { write: (text: string) => (stdout += text) },
        stderr: { write: (text: string) => (stderr += text) },
        client: { retry: { maxAttempts: 1 } },
      };
      const before = sim.requests.length;
      const keys = sim.state.apiKeys.length;

      // Act
      const code = await runCli(argv, io);

      // Assess
      expect({ code, stderr: stderr.slice(0, 300) }).toMatchObject({ code: 2, stderr: expect.stringMatching(new RegExp(`^error: ${escapeRegExp(hostile.flag)}[:.]`)) });
      if (hostile.why !== undefined) expect(stderr.split('\n')[0]).toContain(hostile.why);
      expect(sim.requests.length - before).toBe(0);
      expect(sim.state.apiKeys.length).toBe(keys);
      expect(stdout).toBe('');
      // Bounded, one-line-per-problem output that never repeats a credential given in a URL.
      expect(stderr.length).toBeLessThan(1_000);
      expect(stderr).not.toContain('hunter2');
      expect(stderr).not.toContain(worker.privateKey);
    });
  });
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
