import { Logger } from '@aws-lambda-powertools/logger';
import type { SQSBatchResponse } from 'aws-lambda';
import { envSource } from '../lambda/credentials/env-source.ts';
import { parsePolicy } from '../lambda/policy/parse-policy.ts';
import { createRuntime } from '../lambda/runtime/create-runtime.ts';
import { auditRecord } from '../lambda/telemetry/audit-record.ts';
import { AtlasSession, selfPublicKeyOf } from '../lambda/worker/atlas-session.ts';
import { runCommand } from '../lambda/worker/run-command.ts';
import { lambdaContext, workLaneEvent } from './lambda-context.ts';
import type { ChildTask } from './types.ts';
import { workerEnv } from './worker-env.ts';

type OurSweepTask = Extract<ChildTask, { kind: 'our-sweep' }>;

function clientOptions(task: OurSweepTask) {
  return { ...(task.pacing ? {} : { pacing: false as const }), ...(task.connections === undefined ? {} : { connections: task.connections }) };
}

/**
 * Our sweep, the way production runs it: the Lambda runtime handling one `sweep` message from the FIFO work
 * lane, with a 15-minute context. Figures (keys, actions, outcomes) are read back from its log by the parent.
 */
async function viaHandler(task: OurSweepTask): Promise<{ wallMs: number; failures: number }> {
  const runtime = createRuntime({ ...process.env, ...workerEnv(task.target, task.timeScale, task.policy) }, { client: clientOptions(task) });
  const started = performance.now();
  const response = (await runtime.handle(
    workLaneEvent(JSON.stringify({ action: 'sweep', orgId: task.target.orgId })),
    lambdaContext(),
  )) as SQSBatchResponse;
  const wallMs = performance.now() - started;
  await runtime.session.close();
  return { wallMs, failures: response.batchItemFailures.length };
}

/**
 * The same sweep through the command runner, as the handler runs it, except that the summary keeps at most
 * `resultsLimit` results: every result is still written to the audit log as it comes (what the runtime
 * does with `onResult`). This is the handler once it passes `resultsLimit` (see bench/README.md).
 */
async function viaCommandRunner(task: OurSweepTask, resultsLimit: number): Promise<{ wallMs: number; failures: number }> {
  const env = { ...process.env, ...workerEnv(task.target, task.timeScale, task.policy) };
  const policy = parsePolicy(JSON.parse(env['KEY_POLICY'] ?? '{}'), 'KEY_POLICY');
  const logger = new Logger({ serviceName: 'atlas-key-worker' });
  const session = new AtlasSession({ source: envSource(env), client: { pacing: { timeScale: task.timeScale }, ...clientOptions(task) } });
  const context = lambdaContext();
  const deadline = Date.now() + context.getRemainingTimeInMillis() - 1_000;
  const started = performance.now();
  const outcome = await session.run(policy.orgs[0], (client, resolved) => {
    const selfPublicKey = selfPublicKeyOf(resolved);
    return runCommand(
      { action: 'sweep', orgId: task.target.orgId },
      {
        client,
        policy,
        now: new Date(),
        deadline,
        ...(selfPublicKey === undefined ? {} : { selfPublicKey }),
        onResult: (result) => logger[result.outcome === 'failed' ? 'error' : 'info']('action', auditRecord(result)),
        sweep: { marginMs: 60_000, resultsLimit },
      },
    );
  });
  const wallMs = performance.now() - started;
  const { results, findings, ...rest } = outcome.sweep ?? { results: [], findings: [] };
  logger.info('sweep summary', { summary: { ...rest, findingsShown: findings.length, actions: results.length } });
  await session.close();
  return { wallMs, failures: outcome.results.filter((r) => r.outcome === 'failed').length };
}

export function ourSweep(task: OurSweepTask): Promise<{ wallMs: number; failures: number }> {
  return task.resultsLimit === undefined ? viaHandler(task) : viaCommandRunner(task, task.resultsLimit);
}
