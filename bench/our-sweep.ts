import type { SQSBatchResponse } from 'aws-lambda';
import { createRuntime } from '../lambda/runtime/create-runtime.ts';
import { lambdaContext, sqsEvent } from './lambda-context.ts';
import type { ChildTask } from './types.ts';
import { workerEnv } from './worker-env.ts';

/**
 * Our sweep, the way production runs it: the Lambda runtime handling one SQS `sweep` message, with a
 * 15-minute context. Figures (keys, actions, outcomes) are read back from its log by the parent.
 */
export async function ourSweep(task: Extract<ChildTask, { kind: 'our-sweep' }>): Promise<{ wallMs: number; failures: number }> {
  const runtime = createRuntime(
    { ...process.env, ...workerEnv(task.target, task.timeScale) },
    { client: { ...(task.pacing ? {} : { pacing: false }), ...(task.connections === undefined ? {} : { connections: task.connections }) } },
  );
  const started = performance.now();
  const response = (await runtime.handle(
    sqsEvent(JSON.stringify({ action: 'sweep', orgId: task.target.orgId })),
    lambdaContext(),
  )) as SQSBatchResponse;
  const wallMs = performance.now() - started;
  await runtime.session.close();
  return { wallMs, failures: response.batchItemFailures.length };
}
