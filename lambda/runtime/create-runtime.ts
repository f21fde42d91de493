import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SQSClient } from '@aws-sdk/client-sqs';
import { BatchProcessor, EventType, processPartialResponse, SqsFifoPartialProcessorAsync } from '@aws-lambda-powertools/batch';
import { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit, Metrics } from '@aws-lambda-powertools/metrics';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Context, SQSBatchResponse, SQSRecord } from 'aws-lambda';
import type { AtlasClientOptions } from '../atlas/types.ts';
import { parseCommand } from '../commands/parse-command.ts';
import type { Command } from '../commands/schema.ts';
import { parseWorkerEnv } from '../config/env.ts';
import { envSource } from '../credentials/env-source.ts';
import type { CredentialSource } from '../credentials/types.ts';
import { secretsManagerSource } from '../credentials/secrets-manager-source.ts';
import { parsePolicy } from '../policy/parse-policy.ts';
import { stateFromEnv } from '../state/index.ts';
import { auditRecord } from '../telemetry/audit-record.ts';
import { publishStats } from '../telemetry/publish-stats.ts';
import { redactSecrets } from '../telemetry/redact.ts';
import { AtlasSession, selfPublicKeyOf } from '../worker/atlas-session.ts';
import { describeError } from '../worker/describe-error.ts';
import { RunStats } from '../worker/run-stats.ts';
import { runCommand, type CommandOutcome } from '../worker/run-command.ts';
import { isBudgetRefused, isDeferred } from '../worker/sweep-progress.ts';
import { runRuntimeCheck } from '../check/run-runtime-check.ts';
import { createRotationHandler } from '../rotation/create-rotation-handler.ts';
import { retireServiceAccountSecrets } from '../rotation/retire-service-account-secrets.ts';
import { classifyEvent } from './classify-event.ts';
import { enqueueCommands } from './enqueue-commands.ts';
import { CommandFailedError } from './errors.ts';
import { laneRefusal } from './lane-refusal.ts';
import { METRIC_NAMES } from '../telemetry/metric-names.ts';

/** Time kept back from the Lambda's deadline to finish the invocation (see `deadlineOf`). */
const RESPONSE_RESERVE_MS = 1_000;
/** Action results a sweep's summary (and a direct invocation's answer) keeps besides the failed and deferred. */
const RESULTS_KEPT = 200;

export interface RuntimeDependencies {
  readonly secretsManager?: SecretsManagerClient;
  readonly sqs?: SQSClient;
  /** The state table's client (tests point it at a local DynamoDB). */
  readonly dynamodb?: DynamoDBClient;
  readonly logger?: Logger;
  readonly metrics?: Metrics;
  /** Extra Atlas client options (tests shorten retries). */
  readonly client?: Partial<Omit<AtlasClientOptions, 'baseUrl' | 'flavor' | 'credentials' | 'onEvent'>>;
  /** The clock sweeps and their executor read the deadline by (tests move time forward). @default Date.now */
  readonly clock?: () => number;
}

export interface CommandReport {
  readonly command: Command;
  readonly outcome: CommandOutcome;
  readonly continuation?: Command;
}

/**
 * Everything the Lambda needs, built once per container at module load: the validated config, the policy, the
 * credential source, the Atlas session (pooled clients), logger and metrics. `handle` is the whole handler.
 */
export function createRuntime(env: NodeJS.ProcessEnv, deps: RuntimeDependencies = {}) {
  const config = parseWorkerEnv(env);
  const logger = deps.logger ?? new Logger({ serviceName: 'atlas-key-worker', jsonReplacerFn: redactSecrets });
  const policy = parsePolicy(config.KEY_POLICY, 'KEY_POLICY', (message) => logger.warn(message));
  const state = stateFromEnv(env, {
    onWarning: (message) => logger.warn(message),
    ...(deps.dynamodb === undefined ? {} : { client: deps.dynamodb }),
  });
  const metrics =
    deps.metrics ??
    new Metrics({ serviceName: 'atlas-key-worker', namespace: env['POWERTOOLS_METRICS_NAMESPACE'] ?? 'AtlasKeyWorker' });
  // One cached source per secret: the worker's own, and those of orgs that name their own (several Org Owner
  // keys; Atlas and Ops Manager side by side). The session and the `check` command share them.
  const secretSources = new Map<string, CredentialSource>();
  const secretSource = (secretId: string): CredentialSource => {
    let cached = secretSources.get(secretId);
    if (cached === undefined) {
      cached = secretsManagerSource({
        secretId,
        maxAgeSeconds: config.SECRET_MAX_AGE_SECONDS,
        ...(deps.secretsManager === undefined ? {} : { awsSdkV3Client: deps.secretsManager }),
      });
      secretSources.set(secretId, cached);
    }
    return cached;
  };
  const source = config.ATLAS_SECRET_ID ? secretSource(config.ATLAS_SECRET_ID) : envSource(env);
  let stats = new RunStats();
  const session = new AtlasSession({
    source,
    sourceFor: (org) => (org.secretId === undefined ? undefined : secretSource(org.secretId)),
    onEvent: (event) => {
      stats.recordClientEvent(event);
      if (event.type === 'deprecation') logger.warn('Atlas API deprecation notice', { event });
    },
    // The policy's share of each rate-limit bucket: other clients of the org keep the rest.
    client: { pacing: { timeScale: config.ATLAS_RATE_LIMIT_TIME_SCALE, share: policy.rateLimitShare }, ...deps.client },
  });
  const sqs = deps.sqs ?? (config.WORK_QUEUE_URL ? new SQSClient({}) : undefined);
  const processor = new BatchProcessor(EventType.SQS);
  const secretsManager = deps.secretsManager ?? new SecretsManagerClient({});
  // Secrets Manager rotation steps (ROTATION_CONFIG is validated here, at start-up).
  const rotation = createRotationHandler({
    rotationConfig: env['ROTATION_CONFIG'],
    secretsManager,
    session,
    orgs: policy.orgs,
    audit: (record) => logger[record['outcome'] === 'failed' || record['outcome'] === 'refused' ? 'error' : 'info']('rotation step', record),
    stats: () => stats,
    ...(deps.client === undefined ? {} : { client: deps.client }),
  });
  // The work lane is FIFO with one message group per org: a failed record fails the rest of its group (kept in
  // order for the retry), never the other orgs' records.
  const fifoProcessor = new SqsFifoPartialProcessorAsync();

  const enqueue = async (commands: Command[], source?: string): Promise<boolean> => {
    if (commands.length === 0) return true;
    if (!config.WORK_QUEUE_URL || !sqs) {
      logger.error('WORK_QUEUE_URL is not set: cannot enqueue follow-up commands', { commands });
      stats.add(METRIC_NAMES.continuationsDropped, commands.length);
      return false;
    }
    await enqueueCommands(sqs, config.WORK_QUEUE_URL, commands, new Date(), source);
    return true;
  };

  /** Runs one validated command (from queue message `source`, if any) with its `requestId` on every log line of it. */
  const execute = async (command: Command, deadline: number | undefined, source?: string): Promise<CommandReport> => {
    if (command.requestId === undefined) return executeCommand(command, deadline, source);
    logger.appendKeys({ requestId: command.requestId });
    try {
      return await executeCommand(command, deadline, source);
    } finally {
      logger.removeKeys(['requestId']);
    }
  };

  /** Runs one validated command; throws CommandFailedError when any part of its work failed or was deferred. */
  const executeCommand = async (command: Command, deadline: number | undefined, source?: string): Promise<CommandReport> => {
    const org = 'orgId' in command ? policy.orgs.find((o) => o.orgId === command.orgId) : undefined;
    logger.info('command started', { command });
    const outcome = await session.run(org, (client, resolved) => {
      const selfPublicKey = selfPublicKeyOf(resolved);
      return runCommand(command, {
        client,
        policy,
        now: new Date(),
        budget: state.budget,
        // Incremental sweeps need next-due records that outlive the container: only with the state table.
        ...(config.STATE_TABLE_NAME === undefined ? {} : { keyState: state.keys }),
        ...(selfPublicKey === undefined ? {} : { selfPublicKey }),
        ...(deadline === undefined ? {} : { deadline }),
        onResult: (result) => {
          stats.recordResult(result);
          const level = result.outcome === 'failed' ? 'error' : 'info';
          logger[level]('action', auditRecord(result));
        },
        sweep: {
          // Every result is logged and counted as it comes (onResult): the summary need not hold a whole org's.
          resultsLimit: RESULTS_KEPT,
          // A short-lived invocation still makes progress: never keep more than a quarter of it in reserve.
          marginMs: Math.min(config.SWEEP_MARGIN_SECONDS * 1000, deadline === undefined ? Number.POSITIVE_INFINITY : (deadline - Date.now()) / 4),
          ...(deps.clock === undefined ? {} : { clock: deps.clock }),
          onProgress: (progress) => logger.debug('sweep progress', { progress }),
          onFinding: (finding) => logger.info('finding', { finding }),
          onBudgetExhausted: (exhausted) => {
            stats.add(METRIC_NAMES.safetyCapTrips);
            logger.error('write budget exhausted: no more writes for this org today; the rest of the run is skipped', {
              orgId: 'orgId' in command ? command.orgId : undefined,
              ...exhausted,
            });
          },
          onOrderBroken: (page) => {
            stats.add(METRIC_NAMES.listingOrderBroken);
            logger.warn('org key listing out of publicKey order: paging with overlap instead', { page });
          },
        },
      });
    });
    const failed = outcome.results.filter((r) => r.outcome === 'failed');
    const deferred = outcome.results.filter((r) => r.outcome === 'skipped' && r.detail?.startsWith('deadline'));
    let continuation: Command | undefined;
    if (outcome.sweep) {
      const sweep = outcome.sweep;
      stats.add(METRIC_NAMES.keysScanned, sweep.keysScanned);
      stats.add(METRIC_NAMES.entriesScanned, sweep.entriesScanned);
      stats.add(METRIC_NAMES.keysSkipped, sweep.keysSkipped);
      stats.add(METRIC_NAMES.actionsPlanned, sweep.actionsTotal);
      stats.add(METRIC_NAMES.findings, sweep.findingsTotal);
      if (sweep.continuation) {
        const from = command.action === 'sweep' ? command.cursor : undefined;
        // Progress is a position moved or an action carried out: a batch the deadline deferred whole, at the same
        // position, would come back the same way with every continuation.
        const progressed =
          (sweep.keysScanned > 0 && JSON.stringify(sweep.continuation) !== JSON.stringify(from)) || sweep.results.some((r) => !isDeferred(r));
        if (!progressed) throw new CommandFailedError(`sweep of ${sweep.orgId} made no progress before its deadline; not continuing`);
        // A continuation covers the actions the deadline deferred: it starts where their keys' listing began, so
        // the next invocation plans them again. A failed action is not covered: the message fails and is retried
        // from its own cursor (then kept in the DLQ). Continuing as well would fork the run: every retry of the
        // message would enqueue a continuation of its own, each sweeping the rest of the org again.
        if (failed.length === 0) {
          continuation = { action: 'sweep', orgId: sweep.orgId, cursor: sweep.continuation, ...(command.action === 'sweep' && command.dryRun ? { dryRun: true } : {}) };
          if (await enqueue([continuation], source)) stats.add(METRIC_NAMES.continuations);
        } else {
          logger.error('sweep stopped: some actions failed; the message will be retried from its cursor', { orgId: sweep.orgId });
        }
      }
      if (sweep.budgetExhausted) stats.add(METRIC_NAMES.budgetRefused, sweep.budgetExhausted.skipped);
      if (sweep.complete) {
        // The heartbeat: one per org whose whole listing was swept (an alarm fires when it stops coming).
        const heartbeat = metrics.singleMetric();
        heartbeat.addDimension('orgId', sweep.orgId);
        heartbeat.addMetric(METRIC_NAMES.sweepsCompleted, MetricUnit.Count, 1);
        await retireRotatedOutSecrets(sweep.orgId, org, sweep.dryRun, deadline);
      }
      const { results, findings, ...rest } = sweep;
      logger.info('sweep summary', { summary: { ...rest, findingsShown: findings.length, resultsShown: results.length } });
    } else {
      stats.add(METRIC_NAMES.actionsPlanned, outcome.results.length);
      // An explicit command's write refused by the budget (revocations never are): counted and logged like a sweep's.
      const refused = outcome.results.filter(isBudgetRefused);
      if (refused.length > 0) {
        stats.add(METRIC_NAMES.safetyCapTrips);
        stats.add(METRIC_NAMES.budgetRefused, refused.length);
        logger.error('write budget exhausted: the command\'s write was not sent', { command, detail: refused[0]?.detail });
      }
    }
    const uncovered = continuation === undefined ? deferred : [];
    if (failed.length > 0 || uncovered.length > 0) {
      throw new CommandFailedError(
        `${failed.length} action(s) failed, ${uncovered.length} deferred: ${failed[0]?.detail ?? uncovered[0]?.detail ?? ''}`,
      );
    }
    return { command, outcome, ...(continuation === undefined ? {} : { continuation }) };
  };

  /** After a complete sweep: rotated-out service-account secrets of the org whose grace has passed are deleted. */
  const retireRotatedOutSecrets = async (orgId: string, org: (typeof policy.orgs)[number] | undefined, dryRun: boolean, deadline: number | undefined) => {
    const targets = rotation.config.secrets.filter((target) => target.orgId === orgId);
    if (targets.length === 0) return;
    const results = await session.run(org, (client) =>
      retireServiceAccountSecrets({
        orgId,
        client,
        targets,
        secretsManager,
        budget: state.budget,
        limit: policy.maxWritesPerOrgPerDay,
        now: new Date(),
        dryRun,
        ...(deadline === undefined ? {} : { call: { deadline } }),
      }),
    );
    for (const result of results) {
      const level = result.outcome === 'failed' ? 'error' : 'info';
      logger[level]('action', { audit: true, kind: result.deletion.kind, orgId, clientId: result.deletion.clientId, secretId: result.deletion.secretId, reason: result.deletion.reason, evidence: result.deletion.evidence, outcome: result.outcome, ...(result.detail === undefined ? {} : { detail: result.detail }) });
      if (result.outcome === 'failed') stats.add(METRIC_NAMES.actionsFailed);
    }
  };

  /**
   * The deadline the work runs to: the Lambda's, less a reserve to log, publish metrics and return the batch
   * response. Work cut off at the Lambda's own deadline would lose that response, and SQS would then redeliver
   * the whole batch (records already done, and sweeps that already enqueued their continuation, included).
   */
  const deadlineOf = (context: Context | undefined): number | undefined => {
    if (typeof context?.getRemainingTimeInMillis !== 'function') return undefined;
    const remaining = context.getRemainingTimeInMillis();
    return Date.now() + remaining - Math.ceil(Math.min(RESPONSE_RESERVE_MS, remaining / 10));
  };

  const recordHandler = async (record: SQSRecord, deadline: number | undefined): Promise<void> => {
    try {
      const command = parseCommand(record.body, 'message');
      const refusal = laneRefusal(command, record.eventSourceARN);
      if (refusal !== undefined) throw new CommandFailedError(refusal);
      await execute(command, deadline, record.messageId);
    } catch (error) {
      stats.add(METRIC_NAMES.commandsFailed);
      const { summary, details } = describeError(error);
      logger.error('queue message failed; it will be retried, then moved to the DLQ', {
        messageId: record.messageId,
        receiveCount: record.attributes?.ApproximateReceiveCount,
        reason: summary,
        error: details,
      });
      throw error;
    }
  };

  const handle = async (event: unknown, context?: Context): Promise<SQSBatchResponse | Record<string, unknown>> => {
    stats = new RunStats();
    const started = Date.now();
    if (context) logger.addContext(context);
    // Once per invocation: every record of a batch shares the invocation's deadline and its reserve.
    const deadline = deadlineOf(context);
    try {
      const classified = classifyEvent(event);
      switch (classified.type) {
        case 'sqs': {
          // One record at a time: records may touch the same org and share its rate-limit bucket.
          const handler = (record: SQSRecord) => recordHandler(record, deadline);
          const options = { ...(context === undefined ? {} : { context }), throwOnFullBatchFailure: false };
          if (classified.event.Records[0]?.eventSourceARN?.endsWith('.fifo')) {
            return await processPartialResponse(classified.event, handler, fifoProcessor, { ...options, skipGroupOnError: true });
          }
          return await processPartialResponse(classified.event, handler, processor, { ...options, processInParallel: false });
        }
        case 'scheduled': {
          const commands: Command[] = policy.orgs.map((org) => ({ action: 'sweep', orgId: org.orgId }));
          if (config.WORK_QUEUE_URL) {
            await enqueue(commands);
            stats.add(METRIC_NAMES.sweepsFannedOut, commands.length);
            logger.info('scheduled run: one sweep message per org enqueued', { orgs: commands.length });
            return { fannedOut: commands.length };
          }
          const reports = [];
          for (const command of commands) reports.push(await execute(command, deadline));
          return { sweeps: reports.map(reportJson) };
        }
        case 'command': {
          const command = parseCommand(classified.payload, 'event');
          return reportJson(await execute(command, deadline));
        }
        case 'rotation': {
          // A failed step throws: Secrets Manager retries it and marks the rotation failed.
          const report = await rotation.handle(classified.event, deadline);
          return { ...report };
        }
        case 'check': {
          const report = await runRuntimeCheck(classified.payload, { env, policy, defaultSource: source, sourceForSecret: secretSource, state, deps, deadline });
          logger[report.ok ? 'info' : 'error']('check finished', { report });
          return report;
        }
      }
    } finally {
      stats.add(METRIC_NAMES.runDuration, Date.now() - started);
      publishStats(metrics, stats);
    }
  };

  return { handle, config, policy, session, logger, state };
}

function reportJson(report: CommandReport): Record<string, unknown> {
  const { outcome } = report;
  return {
    command: report.command,
    results: outcome.results.map((r) => auditRecord(r)),
    ...(outcome.sweep
      ? {
          sweep: {
            keysScanned: outcome.sweep.keysScanned,
            entriesScanned: outcome.sweep.entriesScanned,
            complete: outcome.sweep.complete,
            actionsTotal: outcome.sweep.actionsTotal,
            findingsTotal: outcome.sweep.findingsTotal,
            ...(outcome.sweep.budgetExhausted ? { budgetExhausted: outcome.sweep.budgetExhausted } : {}),
          },
        }
      : {}),
    ...(report.continuation ? { continuation: report.continuation } : {}),
  };
}
