import { inspect } from 'node:util';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { createAtlasClient } from '../../lambda/atlas/index.ts';
import { runCli } from '../../lambda/cli/run-cli.ts';
import { createRuntime } from '../../lambda/runtime/create-runtime.ts';
import { startSimulator } from '../../sim/index.ts';
import type { Simulator } from '../../sim/types.ts';
import sqsSample from '../fixtures/sqs-event.json' with { type: 'json' };
import { WORK_QUEUE_URL, workLaneEvent } from '../fixtures/sqs-lanes.ts';
import { captureOutput } from '../helpers/capture-output.ts';
import { lambdaContext } from '../helpers/lambda-context.ts';

const secretsMock = mockClient(SecretsManagerClient);
const sqsMock = mockClient(SQSClient);
const FAST = { retry: { maxAttempts: 3, baseDelayMs: 5, maxDelayMs: 20 }, timeouts: { headersMs: 300, bodyMs: 300, connectMs: 300 } };

/** Old credentials, still cached by the container when Atlas has moved on: as secret as the current ones. */
const STALE_PRIVATE_KEY = '5e1f0c1a-7d2b-4c3e-9f40-stale0private';
const STALE_CLIENT_SECRET = 'mdb_sa_sk_stale0client0secret0value0123456789';

type Scheme = 'digest' | 'oauth';

/** Everything the worker printed or threw during one scenario, as text. */
class Transcript {
  readonly parts: string[] = [];
  add(label: string, text: string): void {
    this.parts.push(`--- ${label}\n${text}`);
  }
  /** An error as every consumer might render it: message, stack, JSON, and util.inspect (causes included). */
  addError(label: string, error: unknown): void {
    const e = error as Error;
    this.add(label, [String(e?.message), String(e?.stack), JSON.stringify(error), inspect(error, { depth: 10, showHidden: true })].join('\n'));
  }
  text(): string {
    return this.parts.join('\n');
  }
}

/** The credentials the client put on the wire: whole header values and their secret parts. */
function secretsOfHeaders(headers: readonly string[]): Map<string, string> {
  const found = new Map<string, string>();
  for (const header of headers) {
    found.set(header, 'an Authorization header value');
    const digest = /response="([0-9a-f]{32})"/.exec(header)?.[1];
    if (digest) found.set(digest, 'a Digest response= value');
    const bearer = /^Bearer\s+(\S+)/i.exec(header)?.[1];
    if (bearer) found.set(bearer, 'a Bearer token on the wire');
    const basic = /^Basic\s+(\S+)/i.exec(header)?.[1];
    if (basic) {
      found.set(basic, 'a Basic credentials blob');
      found.set(Buffer.from(basic, 'base64').toString('utf8'), 'decoded Basic credentials');
    }
  }
  return found;
}

describe('Secrets hygiene', () => {
  let sim: Simulator | undefined;
  afterEach(async () => {
    await sim?.close();
    sim = undefined;
  });

  it.each<Scheme>(['digest', 'oauth'])('%s: no credential, token or signature appears in any output of runs with failures', async (scheme) => {
    // Prepare: a simulator that shows us every Authorization header, and a clock we can move (expiring tokens)
    const headers: string[] = [];
    let skewMs = 0;
    sim = await startSimulator({
      seed: { keysPerOrg: 25, staleFraction: 0.4, now: new Date() },
      now: () => new Date(Date.now() + skewMs),
      onRequest: ({ headers: h }) => {
        if (typeof h.authorization === 'string') headers.push(h.authorization);
      },
    });
    const s = sim;
    const worker = s.workers[0]!;
    const secretJson = (stale: boolean) =>
      JSON.stringify(
        scheme === 'digest'
          ? { publicKey: worker.publicKey, privateKey: stale ? STALE_PRIVATE_KEY : worker.privateKey, baseUrl: s.baseUrl }
          : { clientId: worker.clientId, clientSecret: stale ? STALE_CLIENT_SECRET : worker.clientSecret, baseUrl: s.baseUrl },
      );
    const transcript = new Transcript();
    const others = s.state.apiKeys.filter((k) => k.id !== worker.apiKeyId);
    /** A revocation on the urgent lane (a standard queue). */
    const message = (body: unknown, id: string) => ({ ...sqsSample.Records[0]!, messageId: id, body: JSON.stringify(body) }) as SQSRecord;
    secretsMock.reset();
    sqsMock.reset();
    sqsMock.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [] });
    const output = captureOutput();
    try {
      // 1. The container holds a stale secret (401, then one re-read); the sweep meets 500s, resets and a 403.
      let reads = 0;
      secretsMock.on(GetSecretValueCommand).callsFake(() => ({ SecretString: secretJson(reads++ === 0) }));
      const runtime = createRuntime(
        {
          ATLAS_SECRET_ID: 'atlas-key-worker/credentials',
          KEY_POLICY: JSON.stringify({ orgs: [{ orgId: worker.orgId }], dryRun: false, maxWritesPerOrgPerDay: 1000 }),
          WORK_QUEUE_URL,
        },
        { secretsManager: new SecretsManagerClient({ region: 'us-east-1' }), sqs: new SQSClient({ region: 'us-east-1' }), client: FAST },
      );
      s.addFault({ method: 'GET', path: '/accessList', after: 2, times: 3, fault: { kind: 'status', status: 500 } });
      s.addFault({ method: 'GET', path: '/accessList', after: 8, times: 2, fault: { kind: 'reset' } });
      s.addFault({ method: 'DELETE', times: 2, fault: { kind: 'status', status: 403, errorCode: 'NOT_ORG_OWNER' } });
      const sweep = workLaneEvent([{ action: 'sweep', orgId: worker.orgId }], 'sweep');
      transcript.add('sweep response', JSON.stringify(await runtime.handle(sweep, lambdaContext(20_000))));
      s.clearFaults();

      // 2. Tokens expire (the server's clock jumps); a batch with a command refused by Atlas and one reset.
      skewMs += 2 * 3600_000;
      s.addFault({ method: 'DELETE', path: others[0]!.id, fault: { kind: 'status', status: 403, errorCode: 'ACCESS_FORBIDDEN' } });
      s.addFault({ method: 'DELETE', path: others[1]!.id, times: 5, fault: { kind: 'reset' } });
      const batch: SQSEvent = {
        Records: [0, 1, 2].map((i) => message({ action: 'revokeKey', orgId: worker.orgId, apiUserId: others[i]!.id, reason: 'hygiene test' }, `cmd-${i}`)),
      };
      transcript.add('batch response', JSON.stringify(await runtime.handle(batch, lambdaContext(20_000))));
      s.clearFaults();

      // 3. A direct invocation that fails at Atlas (403 on the listing): the thrown error itself.
      s.addFault({ method: 'GET', path: '/apiKeys', fault: { kind: 'status', status: 403, errorCode: 'IP_ADDRESS_NOT_ON_ACCESS_LIST' } });
      await runtime.handle({ action: 'deleteOrgKey', orgId: worker.orgId, apiUserId: others[3]!.id }, lambdaContext(20_000)).then(
        (result) => transcript.add('direct result', JSON.stringify(result)),
        (error: unknown) => transcript.addError('direct invocation error', error),
      );
      s.clearFaults();
      await runtime.session.close();

      // 4. Credentials refused for good (both reads stale): 401 all the way up, thrown from the handler.
      secretsMock.reset();
      secretsMock.on(GetSecretValueCommand).resolves({ SecretString: secretJson(true) });
      const refused = createRuntime(
        { ATLAS_SECRET_ID: 'atlas-key-worker/credentials', KEY_POLICY: JSON.stringify({ orgs: [{ orgId: worker.orgId }] }) },
        { secretsManager: new SecretsManagerClient({ region: 'us-east-1' }), client: FAST },
      );
      await refused.handle({ action: 'sweep', orgId: worker.orgId }, lambdaContext(20_000)).then(
        (result) => transcript.add('refused result', JSON.stringify(result)),
        (error: unknown) => transcript.addError('refused error', error),
      );
      await refused.session.close();

      // 5. A secret whose JSON has the right value in the wrong shape, or is not JSON at all.
      for (const [label, value] of [
        ['secret with an extra field', `${secretJson(false).slice(0, -1)},"note":"x"}`],
        ['secret that is not JSON', scheme === 'digest' ? `privateKey=${worker.privateKey}` : `clientSecret=${worker.clientSecret}`],
      ] as const) {
        secretsMock.reset();
        secretsMock.on(GetSecretValueCommand).resolves({ SecretString: value });
        const bad = createRuntime(
          { ATLAS_SECRET_ID: 'atlas-key-worker/credentials', KEY_POLICY: JSON.stringify({ orgs: [{ orgId: worker.orgId }] }) },
          { secretsManager: new SecretsManagerClient({ region: 'us-east-1' }), client: FAST },
        );
        const queued = workLaneEvent([{ action: 'sweep', orgId: worker.orgId }], 'bad-secret');
        transcript.add(label, JSON.stringify(await bad.handle(queued, lambdaContext(20_000))));
        await bad.handle({ action: 'sweep', orgId: worker.orgId }, lambdaContext(20_000)).catch((error: unknown) => transcript.addError(label, error));
        await bad.session.close();
      }

      // 6. The CLI, tables and JSON, with a refused delete, and with credentials Atlas does not accept.
      const env = (good: boolean) =>
        scheme === 'digest'
          ? { MONGODB_ATLAS_PUBLIC_API_KEY: worker.publicKey, MONGODB_ATLAS_PRIVATE_API_KEY: good ? worker.privateKey : STALE_PRIVATE_KEY }
          : { MONGODB_ATLAS_CLIENT_ID: worker.clientId, MONGODB_ATLAS_CLIENT_SECRET: good ? worker.clientSecret : STALE_CLIENT_SECRET };
      const cliRuns: [boolean, string[]][] = [
        [true, ['sweep', '--org', worker.orgId, '--execute', '--json']],
        [true, ['sweep', '--org', worker.orgId]],
        [true, ['delete-org-key', '--org', worker.orgId, '--key', others[4]!.id]],
        [false, ['revoke-key', '--org', worker.orgId, '--key', others[5]!.id, '--json']],
      ];
      s.addFault({ method: 'DELETE', path: others[4]!.id, fault: { kind: 'status', status: 403, errorCode: 'NOT_ORG_OWNER' } });
      s.addFault({ method: 'GET', path: '/accessList', after: 1, times: 2, fault: { kind: 'status', status: 503 } });
      for (const [good, argv] of cliRuns) {
        let stdout = '';
        let stderr = '';
        const code = await runCli([...argv, '--base-url', s.baseUrl], {
          env: env(good),
          stdout: { write: (text: string) => (stdout += text) },
          stderr: { write: (text: string) => (stderr += text) },
          client: FAST,
        });
        transcript.add(`cli ${argv[0]} exit ${code}`, `${stdout}\n${stderr}`);
      }
      s.clearFaults();

      // 7. The client's own errors, straight from a call.
      const client = createAtlasClient({
        baseUrl: s.baseUrl,
        flavor: 'atlas',
        credentials:
          scheme === 'digest'
            ? { kind: 'digest', publicKey: worker.publicKey, privateKey: STALE_PRIVATE_KEY }
            : { kind: 'oauth', clientId: worker.clientId, clientSecret: STALE_CLIENT_SECRET },
        ...FAST,
      });
      await client.getOrg(worker.orgId).catch((error: unknown) => transcript.addError('client error', error));
      await client.close();
    } finally {
      output.stop();
    }
    transcript.add('stdout and stderr (logs, audit records, EMF metrics)', output.text());

    // Assess: the scenario really met the failures and really used credentials
    const statuses = s.requests.map((r) => r.status);
    expect(statuses).toContain(401);
    expect(statuses).toContain(403);
    expect(statuses).toContain(500);
    expect(s.faultsInjected).toBeGreaterThanOrEqual(10); // the resets among them
    expect(output.records().some((r) => r['audit'] === true)).toBe(true);
    expect(output.records().some((r) => r['_aws'] !== undefined)).toBe(true);
    if (scheme === 'oauth') expect(s.issuedTokens.length).toBeGreaterThan(1);
    if (scheme === 'digest') expect(headers.filter((h) => h.includes('response="')).length).toBeGreaterThan(10);

    const secrets = new Map<string, string>([
      [worker.privateKey, 'the private key'],
      [STALE_PRIVATE_KEY, 'the stale private key'],
      [worker.clientSecret, 'the client secret'],
      [STALE_CLIENT_SECRET, 'the stale client secret'],
      ...s.issuedTokens.map((token): [string, string] => [token, 'an issued OAuth access token']),
      ...secretsOfHeaders(headers),
    ]);
    const haystack = transcript.text();
    const leaks = [...secrets].filter(([secret]) => haystack.includes(secret)).map(([secret, what]) => `${what}: ${secret.slice(0, 12)}…`);
    expect(leaks).toEqual([]);
    // And no credential-shaped text at all, whatever its value.
    expect(haystack).not.toMatch(/\b(Digest|Bearer|Basic) (?!\[REDACTED\])[A-Za-z0-9+/=._~-]{8,}/);
    expect(haystack).not.toMatch(/response="[0-9a-f]{32}"/);
  });
});
