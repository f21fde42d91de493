/**
 * The worker's own CloudWatch metrics: names, the dimension they carry and the defaults of the namespace.
 *
 * Plain constants, so that the Lambda code (Powertools Metrics) and the infrastructure (alarms, dashboard,
 * which imports this file) share one spelling of every name.
 */

/** Value of `POWERTOOLS_SERVICE_NAME`, and of the `service` dimension that Powertools Metrics adds to every metric. */
export const SERVICE_NAME = 'atlas-key-worker';

/** The one dimension that alarms and the dashboard select on. Metrics emitted with more dimensions are other series. */
export const SERVICE_DIMENSION = 'service';

/** Default CloudWatch namespace (`POWERTOOLS_METRICS_NAMESPACE`). */
export const DEFAULT_METRICS_NAMESPACE = 'AtlasKeyWorker';

/** Metric names, keyed by what the code counts. Units in the comments are the ones the Lambda emits. */
export const METRIC_NAMES = {
  /** Org API keys read during a sweep (Count). */
  keysScanned: 'KeysScanned',
  /** Access-list entries read during a sweep (Count). */
  entriesScanned: 'EntriesScanned',
  /** Keys an incremental sweep listed but did not need to read: nothing could be due (Count). */
  keysSkipped: 'KeysSkipped',
  /** Write actions in the plan (Count). */
  actionsPlanned: 'ActionsPlanned',
  /** Write actions executed successfully (Count). */
  actionsDone: 'ActionsDone',
  /** Write actions whose target was already gone, a 404 on DELETE (Count). */
  actionsAlreadyAbsent: 'ActionsAlreadyAbsent',
  /** Write actions not executed: dry run, deadline, protected (Count). */
  actionsSkipped: 'ActionsSkipped',
  /** Write actions that failed (Count). */
  actionsFailed: 'ActionsFailed',
  /** HTTP requests sent to the Atlas / Ops Manager API (Count). */
  apiRequests: 'ApiRequests',
  /** Responses with status 429 (Count). */
  rateLimited: 'RateLimited',
  /** Retried requests (Count). */
  retries: 'Retries',
  /** Wall-clock time of one sweep or command (Milliseconds). */
  runDuration: 'RunDuration',
  /** Runs whose writes the org's daily write budget (`maxWritesPerOrgPerDay`) stopped (Count). */
  safetyCapTrips: 'SafetyCapTrips',
  /** Write actions the budget refused, left unsent (Count). */
  budgetRefused: 'BudgetRefused',
  /** Queue commands that failed validation or execution (Count). */
  commandsFailed: 'CommandsFailed',
  /** Keys reported without action: unknown usage, protected, self (Count). */
  findings: 'Findings',
  /** Sweep continuations enqueued because an invocation ran out of time (Count). */
  continuations: 'Continuations',
  /** Follow-up commands that could not be enqueued (no work queue configured) (Count). */
  continuationsDropped: 'ContinuationsDropped',
  /** Sweep messages enqueued by a scheduled run, one per org (Count). */
  sweepsFannedOut: 'SweepsFannedOut',
  /** Orgs whose sweep reached the end of its listing: the heartbeat (Count, with an `orgId` dimension). */
  sweepsCompleted: 'SweepsCompleted',
  /** Rotation steps that moved AWSCURRENT to a new credential (Count). */
  rotationsSucceeded: 'RotationsSucceeded',
  /** Rotation steps that failed or were refused (Count). */
  rotationsFailed: 'RotationsFailed',
  /** Listings seen out of publicKey order; the sweep then pages with overlap (Count). */
  listingOrderBroken: 'ListingOrderBroken',
} as const;

export type MetricKey = keyof typeof METRIC_NAMES;
export type MetricName = (typeof METRIC_NAMES)[MetricKey];
