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
   * project on many endpoints, 429 beyond). More parallel invocations than this only turn into 429s and
   * retries. Three = two SQS pollers (`maxConcurrency`) plus one slot for the scheduled fan-out, so that neither
   * throttles the other. On the FIFO lane, concurrency is also capped by the number of orgs (message groups).
   */
  reservedConcurrency: 3,
  /** One command per invocation: a failure affects one message and the deadline belongs to one command. */
  batchSize: 1,
  /** The lowest value SQS event sources accept; see `reservedConcurrency`. */
  maxConcurrency: 2,
  /** Audit records live in the function's log group: a year, what most audit regimes ask for. */
  logRetention: RetentionDays.ONE_YEAR,
  /** Lambda's maximum: a sweep of a large org is bounded by Atlas rate limits, not by CPU. */
  timeout: Duration.minutes(15),
  memorySize: 512,
  /** Lambda's default for asynchronous invocations; every action is idempotent, so a retry is harmless. */
  asyncRetryAttempts: 2,
  /** EventBridge's own delivery retries to the function or the queue. */
  eventTargetRetryAttempts: 3,
  maxReceiveCount: 3,
  deadLetterRetention: Duration.days(14),
  /**
   * The urgent lane's function timeout. A revocation is a handful of requests (one GET by id, or the listing's
   * pages fetched concurrently, then one DELETE); a minute leaves room for Atlas's retries and backoff.
   */
  urgentTimeout: Duration.minutes(1),
  /** Two urgent invocations at once at most (the SQS minimum), reserved apart from the sweeps'. */
  urgentReservedConcurrency: 2,
  /**
   * The urgent queue's visibility timeout is this many times the urgent function's timeout (Lambda requires at
   * least 1×; 2× leaves room for one throttled retry of the poller before the message reappears).
   */
  urgentVisibilityFactor: 2,
  /** A daily sweep plus two hours of slack: a day without a completed sweep of an org alarms. */
  heartbeatWindow: Duration.hours(26),
  /**
   * The work lane's oldest message may wait this long before it alarms. A failing FIFO message blocks its org
   * for 3 × 90 minutes before its DLQ; six hours is beyond any healthy backlog of a daily fan-out.
   */
  workQueueMaxAge: Duration.hours(6),
  /** Days between rotations of each rotated secret (Secrets Manager's own default). */
  rotationEvery: Duration.days(30),
  /** Days a rotated-out key keeps working before the sweep deletes it. */
  rotationGraceDays: 7,
} as const;
