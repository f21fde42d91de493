import { readFile, stat } from 'node:fs/promises';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { AtlasClientOptions } from '../atlas/types.ts';
import type { Command } from '../commands/schema.ts';
import { showValue } from '../commands/show-value.ts';
import { envSource } from '../credentials/env-source.ts';
import { secretsManagerSource } from '../credentials/secrets-manager-source.ts';
import type { CredentialSource } from '../credentials/types.ts';
import { parsePolicy } from '../policy/parse-policy.ts';
import type { Policy } from '../policy/schema.ts';
import { createDynamoState, createMemoryState } from '../state/index.ts';
import { auditRecord } from '../telemetry/audit-record.ts';
import { InputValidationError } from '../validation/errors.ts';
import { AtlasSession, selfPublicKeyOf } from '../worker/atlas-session.ts';
import { describeError } from '../worker/describe-error.ts';
import { CommandRejectedError } from '../worker/errors.ts';
import { RunStats } from '../worker/run-stats.ts';
import { runCommand } from '../worker/run-command.ts';
import { isBudgetRefused } from '../worker/sweep-progress.ts';
import type { SweepProgress } from '../worker/types.ts';
import { type CliOptions, parseCliArgs, USAGE } from './parse-cli-args.ts';
import { countOutcomes, renderFindings, renderResults, renderSweepSummary } from './render-report.ts';
import { METRIC_NAMES } from '../telemetry/metric-names.ts';
import { runCheckCli } from '../check/run-check-cli.ts';
import { runRotateCli } from './run-rotate.ts';

export interface CliIo {
  readonly env: NodeJS.ProcessEnv;
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown; isTTY?: boolean };
  readonly secretsManager?: SecretsManagerClient;
  /** The client for `--state-table` (tests point it at a local DynamoDB). */
  readonly dynamodb?: DynamoDBClient;
  /** Extra Atlas client options (tests, benchmarks). */
  readonly client?: Partial<Omit<AtlasClientOptions, 'baseUrl' | 'flavor' | 'credentials' | 'onEvent'>>;
  /** @default () => new Date() */
  readonly now?: () => Date;
}

/** The operator's CLI: same core as the Lambda. Returns the exit status (0 ok, 1 an action failed, 2 bad input). */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  // `check` has its own flags and report (lambda/check/): it runs no queue command.
  if (argv[0] === 'check') return runCheckCli(argv.slice(1), io);
  // `rotate` too (lambda/cli/run-rotate.ts): the four Secrets Manager rotation steps, or its plan.
  if (argv[0] === 'rotate') return runRotateCli(argv.slice(1), io);
  let options: CliOptions | 'help';
  let policy: Policy;
  try {
    options = parseCliArgs(argv);
    if (options === 'help') {
      io.stdout.write(`${USAGE}\n`);
      return argv.length === 0 ? 2 : 0;
    }
    policy = await loadPolicy(options);
  } catch (error) {
    return usageError(error, io);
  }

  const stats = new RunStats();
  const source = withOverrides(
    options.secretId
      ? secretsManagerSource({
          secretId: options.secretId,
          maxAgeSeconds: 300,
          ...(io.secretsManager === undefined ? {} : { awsSdkV3Client: io.secretsManager }),
        })
      : envSource(io.env),
    options,
  );
  const session = new AtlasSession({
    source,
    onEvent: (event) => stats.recordClientEvent(event),
    // The policy's share of each rate-limit bucket, unless the caller sets the pacing (tests, benchmarks).
    client: { pacing: { share: policy.rateLimitShare }, ...io.client },
  });
  const command = options.command;
  const org = 'orgId' in command ? policy.orgs.find((o) => o.orgId === command.orgId) : undefined;
  const state =
    options.stateTable === undefined
      ? createMemoryState()
      : createDynamoState({ tableName: options.stateTable, ...(io.dynamodb === undefined ? {} : { client: io.dynamodb }) });
  const progress = progressPrinter(io, options);
  const started = Date.now();
  try {
    const outcome = await session.run(org, (client, resolved) => {
      const selfPublicKey = selfPublicKeyOf(resolved);
      return runCommand(command, {
        client,
        policy,
        now: io.now?.() ?? new Date(),
        budget: state.budget,
        // Incremental with the deployed state table (its next-due records), full otherwise or with --full.
        ...(options.stateTable === undefined || options.full ? {} : { keyState: state.keys }),
        scope: options.policyFile === undefined ? 'credentials' : 'policy',
        ...(selfPublicKey === undefined ? {} : { selfPublicKey }),
        onResult: (result) => stats.recordResult(result),
        sweep: { onProgress: progress.update },
      });
    });
    progress.done();
    stats.add(METRIC_NAMES.runDuration, Date.now() - started);
    if (outcome.sweep) {
      stats.add(METRIC_NAMES.keysScanned, outcome.sweep.keysScanned);
      stats.add(METRIC_NAMES.entriesScanned, outcome.sweep.entriesScanned);
    }
    // As the Lambda counts them: one trip per run the budget stopped, one refusal per action it left unsent.
    const refused = outcome.sweep?.budgetExhausted?.skipped ?? outcome.results.filter(isBudgetRefused).length;
    if (refused > 0) {
      stats.add(METRIC_NAMES.safetyCapTrips);
      stats.add(METRIC_NAMES.budgetRefused, refused);
    }
    stats.add(METRIC_NAMES.actionsPlanned, outcome.results.length);
    const failed = outcome.results.some((r) => r.outcome === 'failed');
    if (options.json) {
      const { sweep } = outcome;
      io.stdout.write(
        `${JSON.stringify(
          {
            command,
            ...(sweep
              ? {
                  sweep: {
                    orgId: sweep.orgId,
                    runId: sweep.runId,
                    dryRun: sweep.dryRun,
                    keysScanned: sweep.keysScanned,
                    entriesScanned: sweep.entriesScanned,
                    complete: sweep.complete,
                    durationMs: sweep.durationMs,
                    ...(sweep.budgetExhausted ? { budgetExhausted: sweep.budgetExhausted } : {}),
                    findingsTotal: sweep.findingsTotal,
                    findings: sweep.findings,
                  },
                }
              : {}),
            results: outcome.results.map((r) => auditRecord(r)),
            outcomes: countOutcomes(outcome.results),
            metrics: stats.toJSON(),
          },
          null,
          2,
        )}\n`,
      );
    } else {
      const parts = [renderResults(outcome.results)];
      if (outcome.sweep) {
        const findings = renderFindings(outcome.sweep.findings, outcome.sweep.findingsTotal);
        if (findings) parts.push(findings);
        parts.push(renderSweepSummary(outcome.sweep));
      } else {
        const counts = countOutcomes(outcome.results);
        parts.push(`${counts['done']} done, ${counts['already-absent']} already absent, ${counts['skipped']} skipped, ${counts['failed']} failed`);
      }
      parts.push(`Metrics: ${Object.entries(stats.toJSON()).map(([k, v]) => `${k}=${v}`).join(' ')}`);
      io.stdout.write(`${parts.join('\n\n')}\n`);
    }
    return failed ? 1 : 0;
  } catch (error) {
    progress.done();
    if (error instanceof InputValidationError) return usageError(error, io);
    if (error instanceof CommandRejectedError) {
      io.stderr.write(`error: ${error.message}\n`);
      return 2;
    }
    io.stderr.write(`error: ${describeError(error).summary}\n`);
    return 1;
  } finally {
    await session.close();
  }
}

/** A policy is a few kilobytes; a file far larger than this is not one. */
const MAX_POLICY_BYTES = 1024 * 1024;

async function loadPolicy(options: CliOptions): Promise<Policy> {
  const command: Command = options.command;
  const orgId = 'orgId' in command ? command.orgId : undefined;
  let policy: Policy;
  if (options.policyFile) {
    let text: string;
    try {
      // A regular file of sane size: not /dev/zero, a FIFO (opening it would block) or a runaway log.
      const info = await stat(options.policyFile);
      if (!info.isFile()) throw new Error('not a regular file');
      if (info.size > MAX_POLICY_BYTES) throw new Error(`larger than ${MAX_POLICY_BYTES} bytes`);
      text = await readFile(options.policyFile, 'utf8');
    } catch (error) {
      const why = (error as { code?: unknown }).code ?? (error as Error).message;
      throw new InputValidationError('--policy', `cannot read ${showValue(options.policyFile)}: ${String(why)}`);
    }
    policy = parsePolicy(text, '--policy');
    if (command.action === 'sweep' && !policy.orgs.some((o) => o.orgId === orgId)) {
      throw new InputValidationError('--org', `${orgId} is not among the policy file's orgs`);
    }
  } else {
    // Commands other than sweep need no org list; the policy then only supplies defaults and protections.
    policy = parsePolicy({ orgs: [{ orgId: orgId ?? '000000000000000000000000' }] }, 'policy');
  }
  // The CLI is a dry run unless the operator says --execute, whatever the file says.
  return { ...policy, dryRun: !options.execute };
}

function withOverrides(source: CredentialSource, options: CliOptions): CredentialSource {
  if (!options.baseUrl && !options.flavor) return source;
  const apply = async (read: Promise<Awaited<ReturnType<CredentialSource['get']>>>) => {
    const resolved = await read;
    let baseUrl = resolved.baseUrl;
    if (options.baseUrl) {
      try {
        baseUrl = new URL(options.baseUrl).origin;
      } catch {
        throw new InputValidationError('--base-url', `must be a URL, given ${JSON.stringify(options.baseUrl.slice(0, 100))}`);
      }
    }
    return { ...resolved, baseUrl, flavor: options.flavor ?? resolved.flavor };
  };
  return { get: () => apply(source.get()), refresh: () => apply(source.refresh()) };
}

function usageError(error: unknown, io: CliIo): number {
  if (error instanceof InputValidationError) {
    io.stderr.write(`error: ${error.message}\n(see --help)\n`);
    return 2;
  }
  io.stderr.write(`error: ${describeError(error).summary}\n`);
  return 1;
}

/** One progress line on stderr: rewritten in place on a terminal, one line per page otherwise. */
function progressPrinter(io: CliIo, options: CliOptions) {
  let shown = false;
  const enabled = !options.quiet && !options.json;
  return {
    update: (p: SweepProgress) => {
      if (!enabled) return;
      const of = p.totalKeys === undefined ? '' : `/${p.totalKeys}`;
      const line = `scanning org ${p.orgId}: ${p.keysScanned}${of} keys, ${p.entriesScanned} entries, ${p.actionsPlanned} actions planned`;
      io.stderr.write(io.stderr.isTTY ? `\r${line}` : `${line}\n`);
      shown = true;
    },
    done: () => {
      if (shown && io.stderr.isTTY) io.stderr.write('\n');
    },
  };
}
