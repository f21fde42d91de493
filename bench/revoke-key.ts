import type { SQSBatchResponse } from 'aws-lambda';
import { createRuntime } from '../lambda/runtime/create-runtime.ts';
import { lambdaContext, sqsEvent } from './lambda-context.ts';
import type { ChildTask } from './types.ts';
import { workerEnv } from './worker-env.ts';

/**
 * A leaked key revoked end to end: the EventBridge "Atlas API Key Revocation Requested" event, delivered by
 * the queue to the handler, naming the key by its public key only. Timed from the handler call to its answer,
 * on a warm container (built once, as Lambda does at init), with a fresh Atlas client (first Digest challenge
 * included).
 */
export async function revokeKey(task: Extract<ChildTask, { kind: 'revoke-key' }>): Promise<{ wallMs: number; failures: number }> {
  const runtime = createRuntime({ ...process.env, ...workerEnv(task.target, task.timeScale) });
  const event = {
    version: '0',
    id: '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
    'detail-type': 'Atlas API Key Revocation Requested',
    source: 'com.example.secret-scanner',
    account: '111122223333',
    time: new Date().toISOString(),
    region: 'us-east-1',
    resources: [],
    detail: { orgId: task.target.orgId, publicKey: task.leakedPublicKey, reason: 'benchmark: leaked in a build log' },
  };
  const started = performance.now();
  const response = (await runtime.handle(sqsEvent(JSON.stringify(event)), lambdaContext())) as SQSBatchResponse;
  const wallMs = performance.now() - started;
  await runtime.session.close();
  return { wallMs, failures: response.batchItemFailures.length };
}
