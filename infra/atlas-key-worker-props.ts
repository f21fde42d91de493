import type { Duration } from 'aws-cdk-lib';
import type { IEventBus, Schedule } from 'aws-cdk-lib/aws-events';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { PolicyInput } from '../lambda/policy/schema.ts';
import type { RotationOptions } from './rotation-config.ts';
import type { StaticEgressOptions } from './static-egress.ts';

/** Props of `AtlasKeyWorker`. */
export interface AtlasKeyWorkerProps {
  /**
   * The Secrets Manager secret with the worker's Atlas credentials (JSON: `publicKey`/`privateKey` or
   * `clientId`/`clientSecret`, optional `baseUrl`, `flavor`; or MongoDB's profile shape `PublicKey`/`PrivateKey`/
   * `BaseUrl`). It must have a complete ARN — created in this app, or imported with
   * `Secret.fromSecretCompleteArn` — in the stack's region: the function receives that ARN as `ATLAS_SECRET_ID`
   * and may read it (and the policy orgs' own `secretId`s) and no other secret.
   */
  readonly secret: ISecret;

  /**
   * The customer-managed KMS key that encrypts the secrets, when it is not the AWS-managed `aws/secretsmanager`
   * key. The functions get `kms:Decrypt` on it (and `kms:GenerateDataKey` with rotation), only through Secrets
   * Manager in this region.
   *
   * @default - no key grant: the secrets use the AWS-managed key
   */
  readonly secretKmsKey?: IKey;

  /**
   * The policy (`lambda/policy/schema.ts`), validated at synth time: a bad policy fails `cdk synth` with the
   * field named. Passed to the function, defaults applied, as `KEY_POLICY`. An org's `secretId` must be the
   * complete ARN of a secret in the stack's region; each is granted read by exact ARN. With `staticEgress` and
   * a new VPC, the egress IPs are added to `protectedEntries`.
   */
  readonly policy: PolicyInput;

  /**
   * Whether sweeps only report. Overrides the policy's own `dryRun` (explicit commands follow the policy's
   * `commands`).
   *
   * @default - the policy's `dryRun`, which defaults to true
   */
  readonly dryRun?: boolean;

  /**
   * When to sweep every org in the policy; one EventBridge rule each. An empty list leaves only the lanes (and
   * no heartbeat alarms, since no sweep is expected).
   *
   * @default - [Schedule.expression('cron(0 3 * * ? *)')], daily at 03:00 UTC
   */
  readonly schedules?: readonly Schedule[];

  /**
   * Reserved concurrency of the worker function (sweeps, schedules, rotation), 1 to 1000. Atlas rate-limits per
   * org and per key: parallel invocations beyond a few only turn into 429s. Keep it at least `maxConcurrency` + 1
   * so that the SQS pollers and the scheduled fan-out do not throttle each other.
   *
   * @default 3
   */
  readonly reservedConcurrency?: number;

  /**
   * Messages per invocation of the work lane's event source, 1 to 10. A FIFO batch may hold several orgs'
   * messages; the runtime fails the rest of a group after a failure, so that order holds.
   *
   * @default 1
   */
  readonly batchSize?: number;

  /**
   * Maximum concurrent invocations by the work lane's event source, 2 to 1000. On a FIFO queue Lambda also never
   * runs more invocations than there are message groups (orgs) with messages.
   *
   * @default 2
   */
  readonly maxConcurrency?: number;

  /**
   * Visibility timeout of the work lane: at least 6 × `timeout`, at most 12 hours.
   *
   * @default - 6 × `timeout`
   */
  readonly queueVisibilityTimeout?: Duration;

  /**
   * Timeout of the urgent lane's function (revocations), 10 seconds up to what keeps a failing revocation's
   * alarm within 10 minutes (66 seconds: the urgent queue's visibility timeout is twice this, 3 receives).
   *
   * @default Duration.minutes(1)
   */
  readonly urgentTimeout?: Duration;

  /**
   * Reserved concurrency of the urgent lane's function, which is also its event source's maximum concurrency,
   * 2 to 1000.
   *
   * @default 2
   */
  readonly urgentReservedConcurrency?: number;

  /**
   * `false`: no alarms at all. Alarms need a destination (`alarmEmail` or `alarmTopic`); deploying without one
   * must be asked for explicitly with this.
   *
   * @default true
   */
  readonly alarms?: boolean;

  /**
   * An e-mail address subscribed to the alarm topic (created here unless `alarmTopic` is given). The address
   * must confirm the subscription from the e-mail SNS sends.
   *
   * @default - no subscription; `alarmTopic` is then required
   */
  readonly alarmEmail?: string;

  /**
   * Topic that every alarm notifies, on alarm and on recovery.
   *
   * @default - a new topic (with `alarmEmail`)
   */
  readonly alarmTopic?: ITopic;

  /**
   * A sweep of every scheduled org must complete within this window, or its heartbeat alarm fires (missing data
   * is breaching). Whole hours, 2 to 168.
   *
   * @default Duration.hours(26)
   */
  readonly heartbeatWindow?: Duration;

  /**
   * The work lane's oldest message may be this old before its alarm fires; whole seconds, 5 minutes to 14 days.
   *
   * @default Duration.hours(6)
   */
  readonly workQueueMaxAge?: Duration;

  /**
   * Retention of the functions' log groups (the audit log: one record per action) and of the VPC flow log.
   *
   * @default RetentionDays.ONE_YEAR
   */
  readonly logRetention?: RetentionDays;

  /**
   * CloudWatch namespace of the worker's own metrics (`POWERTOOLS_METRICS_NAMESPACE`).
   *
   * @default 'AtlasKeyWorker'
   */
  readonly metricsNamespace?: string;

  /**
   * Active X-Ray tracing of both functions, with Powertools Tracer (`POWERTOOLS_TRACE_ENABLED`; responses are
   * not captured).
   *
   * @default true
   */
  readonly tracing?: boolean;

  /**
   * Tags for every resource, besides `app=atlas-key-worker`.
   *
   * @default - only `app=atlas-key-worker`
   */
  readonly tags?: Readonly<Record<string, string>>;

  /**
   * Worker function timeout, 1 second to 15 minutes. A sweep that cannot finish in time enqueues a continuation.
   *
   * @default Duration.minutes(15)
   */
  readonly timeout?: Duration;

  /**
   * Memory of both functions in MiB, 128 to 10240.
   *
   * @default 512
   */
  readonly memorySize?: number;

  /**
   * Run the functions in a VPC whose traffic leaves through NAT gateways with fixed IPs, for orgs that require an
   * API access list; their security group allows TCP 443 out and nothing else. `{}` creates a minimal VPC (one
   * NAT, or one per AZ with `natGatewayPerAz`), allocates and retains the Elastic IPs (or uses
   * `elasticIpAllocationIds`) and protects new IPs in the policy; `{ vpc }` uses an existing VPC.
   *
   * @default - no VPC: the functions reach Atlas from Lambda's shared, changing addresses
   */
  readonly staticEgress?: StaticEgressOptions;

  /**
   * Whether an EventBridge rule forwards `Atlas API Key Revocation Requested` events to the urgent lane. When
   * enabled, `revocationSources` is required.
   *
   * @default true
   */
  readonly revocationRule?: boolean;

  /**
   * The EventBridge `source` values allowed to request a revocation (e.g. `['com.example.secret-scanner']`).
   * The rule also matches only events put in this stack's own account.
   *
   * @default - none: required while `revocationRule` is enabled
   */
  readonly revocationSources?: readonly string[];

  /**
   * The event bus whose revocation events are forwarded to the urgent lane.
   *
   * @default - the account's default event bus
   */
  readonly revocationEventBus?: IEventBus;

  /**
   * Rotate Atlas credentials kept in Secrets Manager with the worker function: a rotation schedule per secret,
   * the protocol's actions on exactly those secrets, an invoke permission per secret, `ROTATION_CONFIG` in the
   * environment, and a `RotationsFailed` alarm.
   *
   * @default - no rotation
   */
  readonly rotation?: RotationOptions;
}
