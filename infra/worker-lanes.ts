import type { Duration } from 'aws-cdk-lib';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { DEFAULTS } from './defaults.ts';

/** Props of `createWorkerLanes`. */
export interface WorkerLanesProps {
  /** Visibility timeout of the FIFO work lane (at least 6 × the worker function's timeout). */
  readonly workVisibilityTimeout: Duration;
  /** Visibility timeout of the urgent lane (see `urgentLaneTiming`). */
  readonly urgentVisibilityTimeout: Duration;
}

/** The worker's queues. */
export interface WorkerLanes {
  /**
   * FIFO: one writer per org. Every message that changes an org's keys in place (sweeps, continuations,
   * `pruneAccessListEntry`, `revokeProjectKey`) carries `MessageGroupId = orgId` and a `MessageDeduplicationId`
   * derived from the command (content-based deduplication is off, so a sender must give one).
   */
  readonly workQueue: Queue;
  /** FIFO, like its source: work-lane messages that failed `maxReceiveCount` times. */
  readonly workDeadLetterQueue: Queue;
  /** Standard queue with a short visibility timeout: whole-key revocations, never behind a sweep. */
  readonly urgentQueue: Queue;
  /** Urgent-lane messages that failed `maxReceiveCount` times. */
  readonly urgentDeadLetterQueue: Queue;
  /** Asynchronous invocations that failed after their retries, and events EventBridge could not deliver. */
  readonly failedInvocationsQueue: Queue;
}

/**
 * Creates the lanes directly in `scope`, under the ids the construct has always used (`WorkQueue`,
 * `DeadLetterQueue`, `FailedInvocationsQueue`), so that logical ids stay stable where the resource can.
 * The failed-invocations queue is separate from both DLQs, so that redriving a DLQ into its lane never
 * replays EventBridge records as commands.
 */
export function createWorkerLanes(scope: Construct, props: WorkerLanesProps): WorkerLanes {
  const secure = { encryption: QueueEncryption.SQS_MANAGED, enforceSSL: true } as const;
  const deadLetter = { ...secure, retentionPeriod: DEFAULTS.deadLetterRetention } as const;

  const workDeadLetterQueue = new Queue(scope, 'DeadLetterQueue', { ...deadLetter, fifo: true });
  const workQueue = new Queue(scope, 'WorkQueue', {
    ...secure,
    fifo: true,
    contentBasedDeduplication: false,
    visibilityTimeout: props.workVisibilityTimeout,
    deadLetterQueue: { queue: workDeadLetterQueue, maxReceiveCount: DEFAULTS.maxReceiveCount },
  });
  const urgentDeadLetterQueue = new Queue(scope, 'UrgentDeadLetterQueue', deadLetter);
  const urgentQueue = new Queue(scope, 'UrgentQueue', {
    ...secure,
    visibilityTimeout: props.urgentVisibilityTimeout,
    deadLetterQueue: { queue: urgentDeadLetterQueue, maxReceiveCount: DEFAULTS.maxReceiveCount },
  });
  const failedInvocationsQueue = new Queue(scope, 'FailedInvocationsQueue', deadLetter);

  return { workQueue, workDeadLetterQueue, urgentQueue, urgentDeadLetterQueue, failedInvocationsQueue };
}
