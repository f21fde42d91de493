import { readFile, stat } from 'node:fs/promises';
import { createAtlasClient } from '../atlas/index.ts';
import type { CliIo } from '../cli/run-cli.ts';
import { showValue } from '../commands/show-value.ts';
import { envSource } from '../credentials/env-source.ts';
import { secretsManagerSource } from '../credentials/secrets-manager-source.ts';
import type { CredentialSource } from '../credentials/types.ts';
import { parsePolicy } from '../policy/parse-policy.ts';
import type { Policy } from '../policy/schema.ts';
import { InputValidationError } from '../validation/errors.ts';
import { describeError } from '../worker/describe-error.ts';
import { credentialsResolver } from './credentials-resolver.ts';
import { type CheckArgs, CHECK_USAGE, parseCheckArgs } from './parse-check-args.ts';
import { renderCheckReport } from './render-check-report.ts';
import { runCheck } from './run-check.ts';
import { stateTargetFromEnv } from './state-target.ts';

/** A check should answer within seconds: fewer, shorter retries than a sweep's. */
const CHECK_RETRY = { maxAttempts: 3, baseDelayMs: 250, maxDelayMs: 2_000 } as const;
const SECRET_MAX_AGE_SECONDS = 300;
/** A policy is a few kilobytes; a file far larger than this is not one. */
const MAX_POLICY_BYTES = 1024 * 1024;

/** `atlas-key-worker check ...` (argv after `check`). Exit status: 0 nothing failed, 1 a check failed, 2 bad usage. */
export async function runCheckCli(argv: readonly string[], io: CliIo): Promise<number> {
  let args: CheckArgs | 'help';
  let loaded: { policy: Policy; source: string };
  try {
    args = parseCheckArgs(argv);
    if (args === 'help') {
      io.stdout.write(`${CHECK_USAGE}\n`);
      return 0;
    }
    loaded = await loadPolicy(args, io);
  } catch (error) {
    if (error instanceof InputValidationError) {
      io.stderr.write(`error: ${error.message}\n(see check --help)\n`);
      return 2;
    }
    io.stderr.write(`error: ${describeError(error).summary}\n`);
    return 1;
  }

  const fromSecret = (secretId: string): CredentialSource =>
    secretsManagerSource({
      secretId,
      maxAgeSeconds: SECRET_MAX_AGE_SECONDS,
      ...(io.secretsManager === undefined ? {} : { awsSdkV3Client: io.secretsManager }),
    });
  const secretId = args.secretId ?? io.env['ATLAS_SECRET_ID'];
  const overrides = {
    ...(args.baseUrl === undefined ? {} : { baseUrl: args.baseUrl }),
    ...(args.flavor === undefined ? {} : { flavor: args.flavor }),
  };
  const report = await runCheck({
    policy: loaded.policy,
    policySource: loaded.source,
    credentialsFor: credentialsResolver({
      defaultSource: secretId === undefined || secretId === '' ? envSource(io.env) : fromSecret(secretId),
      sourceForSecret: fromSecret,
      overrides,
    }),
    createClient: (target) => createAtlasClient({ retry: CHECK_RETRY, ...io.client, ...target }),
    // The table name is validated by the state module: a bad one is a failed state check, not a usage error.
    state: stateTargetFromEnv(args.stateTable === undefined ? io.env : { ...io.env, STATE_TABLE_NAME: args.stateTable }, io.dynamodb),
    ...(args.egressIp === undefined ? {} : { egressIp: args.egressIp }),
    ...(io.now === undefined ? {} : { now: io.now }),
  });
  io.stdout.write(args.json ? `${JSON.stringify(report, null, 2)}\n` : `${renderCheckReport(report)}\n`);
  return report.ok ? 0 : 1;
}

/** `--policy FILE`, else `KEY_POLICY`, else a default policy for `--org`; `--org` with a policy picks that org. */
async function loadPolicy(args: CheckArgs, io: CliIo): Promise<{ policy: Policy; source: string }> {
  const onWarning = (message: string) => void io.stderr.write(`warning: ${message}\n`);
  let policy: Policy;
  let source: string;
  if (args.policyFile !== undefined) {
    policy = parsePolicy(await readPolicyFile(args.policyFile), '--policy', onWarning);
    source = args.policyFile;
  } else if (io.env['KEY_POLICY'] !== undefined && io.env['KEY_POLICY'] !== '') {
    policy = parsePolicy(io.env['KEY_POLICY'], 'KEY_POLICY', onWarning);
    source = 'KEY_POLICY';
  } else if (args.orgId !== undefined) {
    return { policy: parsePolicy({ orgs: [{ orgId: args.orgId }] }, '--org', onWarning), source: 'your policy (this run used --org with default settings)' };
  } else {
    throw new InputValidationError('--policy', 'give the policy file (or set KEY_POLICY, or name one org with --org)');
  }
  if (args.orgId !== undefined) {
    const org = policy.orgs.find((candidate) => candidate.orgId === args.orgId);
    if (org === undefined) throw new InputValidationError('--org', `${args.orgId} is not among the orgs of ${source}`);
    policy = { ...policy, orgs: [org] };
  }
  return { policy, source };
}

async function readPolicyFile(path: string): Promise<string> {
  try {
    // A regular file of sane size: not /dev/zero, a FIFO (opening it would block) or a runaway log.
    const info = await stat(path);
    if (!info.isFile()) throw new Error('not a regular file');
    if (info.size > MAX_POLICY_BYTES) throw new Error(`larger than ${MAX_POLICY_BYTES} bytes`);
    return await readFile(path, 'utf8');
  } catch (error) {
    const why = (error as { code?: unknown }).code ?? (error as Error).message;
    throw new InputValidationError('--policy', `cannot read ${showValue(path)}: ${String(why)}`);
  }
}
