import { fileURLToPath } from 'node:url';
import { Annotations, Duration, Stack, Token } from 'aws-cdk-lib';
import type { IVpc } from 'aws-cdk-lib/aws-ec2';
import { type IEventBus, Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction, SqsQueue } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Architecture, RecursiveLoop, Runtime } from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { LogLevel, NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { Policy, PolicyInput } from '../lambda/policy/schema.ts';
import { DEFAULTS } from './defaults.ts';
import { DEFAULT_METRICS_NAMESPACE, SERVICE_NAME } from '../lambda/telemetry/metric-names.ts';
import { acknowledgeWorkerFindings } from './nag-acknowledgements.ts';
import { resolvePolicy } from './resolve-policy.ts';
import { REVOCATION_DETAIL_TYPE } from '../lambda/commands/revocation-event-schema.ts';
import { StaticEgress, type StaticEgressOptions } from './static-egress.ts';
import {
  checkFunctionTimeout,
  checkIntegerInRange,
  checkPolicySize,
  checkVisibilityTimeout,
} from './validate-props.ts';
import { WorkerAlarms } from './worker-alarms.ts';
import { WorkerDashboard } from './worker-dashboard.ts';

/** Props of `AtlasKeyWorker`. */
export interface AtlasKeyWorkerProps {
  /**
   * The Secrets Manager secret with the worker's Atlas credentials (JSON: `publicKey`/`privateKey` or
   * `clientId`/`clientSecret`, optional `baseUrl`, `flavor`). The function may read this secret and no other.
   * Import an existing one with `Secret.fromSecretNameV2` or `Secret.fromSecretCompleteArn`.
   */
  readonly secret: ISecret;

  /**
   * The customer-managed KMS key that encrypts `secret`, when it is not the AWS-managed `aws/secretsmanager`
   * key. The function gets `kms:Decrypt` on it, only through Secrets Manager.
   *
   * @default - no key grant: the secret uses the AWS-managed key, or was created with its key in this app
   */
  readonly secretKmsKey?: IKey;

  /**
   * The sweep policy (`lambda/policy/schema.ts`), validated at synth time: a bad policy fails `cdk synth` with
   * the field named. Passed to the function, defaults applied, as `KEY_POLICY`; at most 3 KB of JSON. With
   * `staticEgress` and a new VPC, the egress IP is added to `protectedEntries`.
   */
  readonly policy: PolicyInput;

  /**
   * Whether the worker only reports. Overrides the policy's own `dryRun`.
   *
   * @default - the policy's `dryRun`, which defaults to true
   */
  readonly dryRun?: boolean;

  /**
   * When to sweep every org in the policy; one EventBridge rule each. An empty list leaves only the queue and
   * the revocation rule.
   *
   * @default - [Schedule.expression('cron(0 3 * * ? *)')], daily at 03:00 UTC
   */
  readonly schedules?: readonly Schedule[];

  /**
   * Reserved concurrency of the function, 1 to 1000. Atlas rate-limits its API per org and per key, and the
   * worker uses one key, so parallel invocations beyond a few only turn into 429s and retries. Keep it at least
   * `maxConcurrency` + 1 so that SQS pollers and the scheduled sweep do not throttle each other.
   *
   * @default 3
   */
  readonly reservedConcurrency?: number;

  /**
   * Messages per invocation of the SQS event source, 1 to 10.
   *
   * @default 1
   */
  readonly batchSize?: number;

  /**
   * Maximum concurrent invocations by the SQS event source, 2 to 1000.
   *
   * @default 2
   */
  readonly maxConcurrency?: number;

  /**
   * Visibility timeout of the work queue: at least 6 × `timeout`, at most 12 hours.
   *
   * @default - 6 × `timeout`
   */
  readonly queueVisibilityTimeout?: Duration;

  /**
   * Topic that every alarm notifies.
   *
   * @default - alarms without actions
   */
  readonly alarmTopic?: ITopic;

  /**
   * Retention of the function's log group (and of the VPC flow log, with `staticEgress`).
   *
   * @default RetentionDays.THREE_MONTHS
   */
  readonly logRetention?: RetentionDays;

  /**
   * CloudWatch namespace of the worker's own metrics (`POWERTOOLS_METRICS_NAMESPACE`).
   *
   * @default 'AtlasKeyWorker'
   */
  readonly metricsNamespace?: string;

  /**
   * Function timeout, 1 second to 15 minutes. A sweep that cannot finish in time enqueues a continuation.
   *
   * @default Duration.minutes(15)
   */
  readonly timeout?: Duration;

  /**
   * Function memory in MiB, 128 to 10240.
   *
   * @default 512
   */
  readonly memorySize?: number;

  /**
   * Run the function in a VPC whose traffic leaves through a NAT gateway with a fixed IP, for orgs that require
   * an API access list. `{}` creates a minimal VPC, outputs its Elastic IP and protects it in the policy;
   * `{ vpc }` uses an existing one, whose NAT IPs belong on the key's access list and in `protectedEntries`.
   *
   * @default - no VPC: the function reaches Atlas from Lambda's shared, changing addresses
   */
  readonly staticEgress?: StaticEgressOptions;

  /**
   * The event bus whose `Atlas API Key Revocation Requested` events are forwarded to the work queue.
   *
   * @default - the account's default event bus
   */
  readonly revocationEventBus?: IEventBus;
}

/** The newest Node.js runtime in this aws-cdk-lib; the tests fail when a newer one appears. */
export const WORKER_RUNTIME = Runtime.NODEJS_24_X;

const HANDLER_ENTRY = fileURLToPath(new URL('../lambda/handler.ts', import.meta.url));
const LOCK_FILE = fileURLToPath(new URL('../package-lock.json', import.meta.url));

/** Defines `require` in the ESM bundle, for the CommonJS dependencies that call it. */
const ESM_REQUIRE_BANNER =
  "import { createRequire as __awsKeyWorkerCreateRequire } from 'node:module'; " +
  'const require = __awsKeyWorkerCreateRequire(import.meta.url);';

/**
 * A serverless worker that removes stale MongoDB Atlas programmatic API keys: one Lambda function driven by
 * schedules (sweeps), an SQS work queue (commands, continuations, fan-out) and an EventBridge rule (revocation
 * requests), with dead-letter queues, alarms and a dashboard.
 */
export class AtlasKeyWorker extends Construct {
  readonly workerFunction: NodejsFunction;
  readonly logGroup: LogGroup;
  readonly workQueue: Queue;
  /** Work-queue messages that failed `maxReceiveCount` (3) times. */
  readonly deadLetterQueue: Queue;
  /** Asynchronous invocations that failed after their retries, and events EventBridge could not deliver. */
  readonly failedInvocationsQueue: Queue;
  readonly scheduleRules: readonly Rule[];
  readonly revocationRule: Rule;
  readonly alarms: WorkerAlarms;
  readonly dashboard: WorkerDashboard;
  /** The policy as the function receives it, defaults applied (without the egress IP, known only at deploy). */
  readonly policy: Policy;
  /** Present with `staticEgress`. */
  readonly vpc?: IVpc;
  /** Present with `staticEgress` and no `vpc` given: the egress IP, also emitted as a `CfnOutput`. */
  readonly egressIp?: StaticEgress['elasticIp'];

  constructor(scope: Construct, id: string, props: AtlasKeyWorkerProps) {
    super(scope, id);

    const timeout = props.timeout ?? DEFAULTS.timeout;
    const reservedConcurrency = props.reservedConcurrency ?? DEFAULTS.reservedConcurrency;
    const maxConcurrency = props.maxConcurrency ?? DEFAULTS.maxConcurrency;
    const metricsNamespace = props.metricsNamespace ?? DEFAULT_METRICS_NAMESPACE;
    const logRetention = props.logRetention ?? DEFAULTS.logRetention;

    checkFunctionTimeout('timeout', timeout);
    const visibilityTimeout =
      props.queueVisibilityTimeout ?? Duration.seconds(Math.ceil((6 * timeout.toMilliseconds()) / 1000));
    checkIntegerInRange('reservedConcurrency', reservedConcurrency, 1, 1000);
    checkIntegerInRange('batchSize', props.batchSize, 1, 10);
    checkIntegerInRange('maxConcurrency', maxConcurrency, 2, 1000);
    checkIntegerInRange('memorySize', props.memorySize, 128, 10_240);
    checkVisibilityTimeout('queueVisibilityTimeout', visibilityTimeout, timeout);
    if (!Token.isUnresolved(metricsNamespace) && !/^[\w.\-/#:]{1,255}$/.test(metricsNamespace)) {
      throw new Error(`metricsNamespace must be 1 to 255 letters, digits or . - _ / # : (given "${metricsNamespace}")`);
    }
    const resolved = resolvePolicy(props.policy, props.dryRun);
    checkPolicySize('policy', resolved.json);
    this.policy = resolved.policy;
    if (maxConcurrency >= reservedConcurrency) {
      Annotations.of(this).addWarningV2(
        'atlas-key-worker:concurrency',
        `maxConcurrency (${maxConcurrency}) leaves no reserved concurrency (${reservedConcurrency}) for the ` +
          'scheduled sweep: invocations will be throttled',
      );
    }

    // Queues: work queue with a DLQ; a separate queue for failed asynchronous invocations and deliveries, so
    // that redriving the DLQ into the work queue never replays EventBridge records as commands.
    this.deadLetterQueue = new Queue(this, 'DeadLetterQueue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: DEFAULTS.deadLetterRetention,
    });
    this.workQueue = new Queue(this, 'WorkQueue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout,
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: DEFAULTS.maxReceiveCount },
    });
    this.failedInvocationsQueue = new Queue(this, 'FailedInvocationsQueue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: DEFAULTS.deadLetterRetention,
    });

    let egress: StaticEgress | undefined;
    if (props.staticEgress) {
      egress = new StaticEgress(this, 'StaticEgress', { ...props.staticEgress, flowLogRetention: logRetention });
      this.vpc = egress.vpc;
      if (egress.elasticIp) this.egressIp = egress.elasticIp;
    }

    // The worker's own egress IP is protected: no sweep may prune it from any key. Known only at deploy time,
    // so the JSON is a token that CloudFormation completes.
    const keyPolicy = this.egressIp
      ? Stack.of(this).toJsonString({
          ...resolved.policy,
          protectedEntries: [...resolved.policy.protectedEntries, this.egressIp.attrPublicIp],
        })
      : resolved.json;

    this.logGroup = new LogGroup(this, 'LogGroup', { retention: logRetention });
    this.workerFunction = new NodejsFunction(this, 'Function', {
      description: 'Removes stale MongoDB Atlas programmatic API keys',
      entry: HANDLER_ENTRY,
      handler: 'handler',
      depsLockFilePath: LOCK_FILE,
      runtime: WORKER_RUNTIME,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? DEFAULTS.memorySize,
      timeout,
      // A long sweep continues itself through its own queue (function → queue → function) by design, more than
      // the ~16 hops after which Lambda would otherwise stop the chain. Each hop must make progress (the
      // runtime fails a continuation that scanned nothing), so the loop is bounded by the org's size.
      recursiveLoop: RecursiveLoop.ALLOW,
      reservedConcurrentExecutions: reservedConcurrency,
      logGroup: this.logGroup,
      ...(egress ? { vpc: egress.vpc, vpcSubnets: egress.vpcSubnets } : {}),
      retryAttempts: DEFAULTS.asyncRetryAttempts,
      onFailure: new SqsDestination(this.failedInvocationsQueue),
      environment: {
        ATLAS_SECRET_ID: props.secret.secretFullArn ?? props.secret.secretArn,
        KEY_POLICY: keyPolicy,
        WORK_QUEUE_URL: this.workQueue.queueUrl,
        POWERTOOLS_SERVICE_NAME: SERVICE_NAME,
        POWERTOOLS_METRICS_NAMESPACE: metricsNamespace,
        POWERTOOLS_LOG_LEVEL: 'INFO',
        NODE_OPTIONS: '--enable-source-maps',
      },
      bundling: {
        format: OutputFormat.ESM,
        target: 'node24',
        mainFields: ['module', 'main'],
        banner: ESM_REQUIRE_BANNER,
        minify: true,
        sourceMap: true,
        sourcesContent: false,
        // Bundle the AWS SDK too: the versions in package-lock.json are the ones tested, not whatever the
        // runtime ships this month; tree-shaken clients add little to the bundle.
        bundleAwsSDK: true,
        externalModules: [],
        logLevel: LogLevel.WARNING,
      },
    });

    // Permissions: read exactly one secret; send to its own queue (continuations, fan-out).
    props.secret.grantRead(this.workerFunction);
    if (props.secretKmsKey) {
      this.workerFunction.addToRolePolicy(
        new PolicyStatement({
          actions: ['kms:Decrypt'],
          resources: [props.secretKmsKey.keyArn],
          conditions: { StringEquals: { 'kms:ViaService': `secretsmanager.${Stack.of(this).region}.amazonaws.com` } },
        }),
      );
    }
    this.workQueue.grantSendMessages(this.workerFunction);

    this.workerFunction.addEventSource(
      new SqsEventSource(this.workQueue, {
        batchSize: props.batchSize ?? DEFAULTS.batchSize,
        maxConcurrency,
        reportBatchItemFailures: true,
      }),
    );

    const schedules = props.schedules ?? [Schedule.expression(DEFAULTS.scheduleExpression)];
    this.scheduleRules = schedules.map(
      (schedule, index) =>
        new Rule(this, `ScheduleRule${index}`, {
          description: `Atlas key worker: sweep every org in the policy (${schedule.expressionString})`,
          schedule,
          targets: [
            new LambdaFunction(this.workerFunction, {
              retryAttempts: DEFAULTS.eventTargetRetryAttempts,
              deadLetterQueue: this.failedInvocationsQueue,
            }),
          ],
        }),
    );

    this.revocationRule = new Rule(this, 'RevocationRule', {
      description: 'Atlas key worker: forward key revocation requests to the work queue',
      ...(props.revocationEventBus ? { eventBus: props.revocationEventBus } : {}),
      eventPattern: { detailType: [REVOCATION_DETAIL_TYPE] },
      targets: [
        new SqsQueue(this.workQueue, {
          retryAttempts: DEFAULTS.eventTargetRetryAttempts,
          deadLetterQueue: this.failedInvocationsQueue,
        }),
      ],
    });

    this.alarms = new WorkerAlarms(this, 'Alarms', {
      workerFunction: this.workerFunction,
      deadLetterQueue: this.deadLetterQueue,
      failedInvocationsQueue: this.failedInvocationsQueue,
      metricsNamespace,
      ...(props.alarmTopic ? { alarmTopic: props.alarmTopic } : {}),
    });
    this.dashboard = new WorkerDashboard(this, 'Dashboard', {
      workerFunction: this.workerFunction,
      workQueue: this.workQueue,
      deadLetterQueue: this.deadLetterQueue,
      failedInvocationsQueue: this.failedInvocationsQueue,
      metricsNamespace,
    });

    acknowledgeWorkerFindings({
      workerFunction: this.workerFunction,
      failedInvocationsQueue: this.failedInvocationsQueue,
      inVpc: egress !== undefined,
    });
  }
}
