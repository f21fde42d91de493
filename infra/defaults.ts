import { Duration } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';

/**
 * Defaults of `AtlasKeyWorker`, in one place so that the docs, the construct and the tests agree.
 */
export const DEFAULTS = {
  /** Daily at 03:00 UTC. */
  scheduleExpression: 'cron(0 3 * * ? *)',
  /**
   * Atlas rate-limits its Administration API per organization and per key (e.g. 100 requests per minute per
   * project on many endpoints, 429 beyond), and the worker uses one key for every org. More parallel
   * invocations than this only turn into 429s and retries. Three = two SQS pollers (`maxConcurrency`) plus one
   * slot for the scheduled sweep, so that neither throttles the other.
   */
  reservedConcurrency: 3,
  /** One command per invocation: a failure affects one message and the deadline belongs to one command. */
  batchSize: 1,
  /** The lowest value SQS event sources accept; see `reservedConcurrency`. */
  maxConcurrency: 2,
  logRetention: RetentionDays.THREE_MONTHS,
  /** Lambda's maximum: a sweep of a large org is bounded by Atlas rate limits, not by CPU. */
  timeout: Duration.minutes(15),
  memorySize: 512,
  /** Lambda's default for asynchronous invocations; every action is idempotent, so a retry is harmless. */
  asyncRetryAttempts: 2,
  /** EventBridge's own delivery retries to the function or the queue. */
  eventTargetRetryAttempts: 3,
  maxReceiveCount: 3,
  deadLetterRetention: Duration.days(14),
} as const;
