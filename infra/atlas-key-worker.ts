import { Annotations, Duration, Stack, Token } from 'aws-cdk-lib';
import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import type { IVpc } from 'aws-cdk-lib/aws-ec2';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { Policy } from '../lambda/policy/schema.ts';
import { DEFAULT_METRICS_NAMESPACE, SERVICE_NAME } from '../lambda/telemetry/metric-names.ts';
import { resolveAlarmTopic } from './alarm-topic.ts';
import type { AtlasKeyWorkerProps } from './atlas-key-worker-props.ts';
import { DEFAULTS } from './defaults.ts';
import { acknowledgeWorkerFindings } from './nag-acknowledgements.ts';
import { resolvePolicy } from './resolve-policy.ts';
import { checkRevocationSources, createRevocationRule } from './revocation-rule.ts';
import { type ResolvedRotation, resolveRotation } from './rotation-config.ts';
import { checkCompleteSecretArn, completeArnOf, orgSecrets } from './secret-arns.ts';
import { createStateTable, grantStateTableAccess } from './state-table.ts';
import { StaticEgress } from './static-egress.ts';
import { checkUrgentLaneTiming, type UrgentLaneTiming, urgentLaneTiming } from './urgent-lane-timing.ts';
import {
  checkEnvironmentSize,
  checkFunctionTimeout,
  checkIntegerInRange,
  checkPolicySize,
  checkSecondsInRange,
  checkVisibilityTimeout,
  checkWholeHours,
} from './validate-props.ts';
import { WorkerAlarms } from './worker-alarms.ts';
import { WorkerDashboard } from './worker-dashboard.ts';
import { createWorkerFunction, type WorkerNetwork } from './worker-function.ts';
import { createWorkerLanes } from './worker-lanes.ts';
import { grantSecretKey, grantSecretsRead } from './worker-permissions.ts';
import { WorkerRotation } from './worker-rotation.ts';
import { applyWorkerTags, checkTags } from './worker-tags.ts';

export type { AtlasKeyWorkerProps } from './atlas-key-worker-props.ts';
export { WORKER_RUNTIME } from './worker-function.ts';

/**
 * A serverless worker that removes stale MongoDB Atlas programmatic API keys and rotates Atlas credentials:
 * a worker function driven by schedules (fan-out of sweeps), a FIFO work lane (one writer per org), Secrets
 * Manager rotation and direct invocations; an urgent-lane function for revocations (its own queue, short
 * visibility timeout, its own DLQ), fed by an EventBridge rule filtered by account and source; a DynamoDB
 * state table (write budgets, next-due); alarms that always have a destination, a per-org heartbeat and a
 * dashboard; optional static egress with retained Elastic IPs.
 */
export class AtlasKeyWorker extends Construct {
  /** Sweeps, the work lane, schedules, rotation and direct invocations. */
  readonly workerFunction: NodejsFunction;
  /** The urgent lane's consumer: the same bundle and environment, a short timeout. */
  readonly urgentFunction: NodejsFunction;
  /** The worker function's log group: the audit log. */
  readonly logGroup: LogGroup;
  readonly urgentLogGroup: LogGroup;
  /** FIFO work lane (`MessageGroupId = orgId`, a deduplication id per message). */
  readonly workQueue: Queue;
  /** The work lane's FIFO dead-letter queue (after `maxReceiveCount`, 3). */
  readonly deadLetterQueue: Queue;
  /** The urgent lane: whole-key revocations. */
  readonly urgentQueue: Queue;
  readonly urgentDeadLetterQueue: Queue;
  /** Asynchronous invocations that failed after their retries, and events EventBridge could not deliver. */
  readonly failedInvocationsQueue: Queue;
  readonly stateTable: Table;
  readonly scheduleRules: readonly Rule[];
  /** Present unless `revocationRule: false`. */
  readonly revocationRule?: Rule;
  /** Present unless `alarms: false`. */
  readonly alarms?: WorkerAlarms;
  readonly alarmTopic?: ITopic;
  readonly dashboard: WorkerDashboard;
  readonly rotation?: WorkerRotation;
  /** The policy as the function receives it, defaults applied (without the egress IPs, known only at deploy). */
  readonly policy: Policy;
  /** The complete ARN the function receives as `ATLAS_SECRET_ID`. */
  readonly secretArn: string;
  /** How the urgent lane is sized, and how long a failing revocation takes to alarm. */
  readonly urgentLaneTiming: UrgentLaneTiming;
  /** Present with `staticEgress`. */
  readonly vpc?: IVpc;
  /** With `staticEgress` and a new VPC whose Elastic IPs are allocated here: their public IPs (tokens). */
  readonly egressIps: readonly string[];

  constructor(scope: Construct, id: string, props: AtlasKeyWorkerProps) {
    super(scope, id);
    const stack = Stack.of(this);

    // Props: validated before anything is built, each error naming the prop and the value.
    const timeout = props.timeout ?? DEFAULTS.timeout;
    const reservedConcurrency = props.reservedConcurrency ?? DEFAULTS.reservedConcurrency;
    const maxConcurrency = props.maxConcurrency ?? DEFAULTS.maxConcurrency;
    const urgentTimeout = props.urgentTimeout ?? DEFAULTS.urgentTimeout;
    const urgentConcurrency = props.urgentReservedConcurrency ?? DEFAULTS.urgentReservedConcurrency;
    const metricsNamespace = props.metricsNamespace ?? DEFAULT_METRICS_NAMESPACE;
    const logRetention = props.logRetention ?? DEFAULTS.logRetention;
    const heartbeatWindow = props.heartbeatWindow ?? DEFAULTS.heartbeatWindow;
    const workQueueMaxAge = props.workQueueMaxAge ?? DEFAULTS.workQueueMaxAge;
    const tracing = props.tracing ?? true;
    const tags = props.tags ?? {};

    checkFunctionTimeout('timeout', timeout);
    const visibilityTimeout =
      props.queueVisibilityTimeout ?? Duration.seconds(Math.ceil((6 * timeout.toMilliseconds()) / 1000));
    checkIntegerInRange('reservedConcurrency', reservedConcurrency, 1, 1000);
    checkIntegerInRange('batchSize', props.batchSize, 1, 10);
    checkIntegerInRange('maxConcurrency', maxConcurrency, 2, 1000);
    checkIntegerInRange('urgentReservedConcurrency', urgentConcurrency, 2, 1000);
    checkIntegerInRange('memorySize', props.memorySize, 128, 10_240);
    checkVisibilityTimeout('queueVisibilityTimeout', visibilityTimeout, timeout);
    checkUrgentLaneTiming('urgentTimeout', urgentTimeout, DEFAULTS.urgentVisibilityFactor, DEFAULTS.maxReceiveCount);
    checkWholeHours('heartbeatWindow', heartbeatWindow, 2, 168);
    checkSecondsInRange('workQueueMaxAge', workQueueMaxAge, 300, 1_209_600);
    checkTags('tags', tags);
    if (!Token.isUnresolved(metricsNamespace) && !/^[\w.\-/#:]{1,255}$/.test(metricsNamespace)) {
      throw new Error(`metricsNamespace must be 1 to 255 letters, digits or . - _ / # : (given "${metricsNamespace}")`);
    }
    const revocationSources =
      props.revocationRule === false ? undefined : checkRevocationSources(props.revocationSources);

    const resolved = resolvePolicy(props.policy, props.dryRun);
    checkPolicySize('policy', resolved.json);
    this.policy = resolved.policy;
    const perOrgSecrets = orgSecrets(resolved.policy.orgs);
    for (const org of perOrgSecrets) {
      checkCompleteSecretArn(`policy: orgs.${org.index}.secretId`, org.secretId, stack.region);
    }
    this.secretArn = completeArnOf('secret', props.secret, stack.region);
    const rotation: ResolvedRotation | undefined = props.rotation
      ? resolveRotation(
          this,
          props.rotation,
          resolved.policy.orgs.map((org) => org.orgId),
        )
      : undefined;
    this.urgentLaneTiming = urgentLaneTiming(urgentTimeout, DEFAULTS.urgentVisibilityFactor, DEFAULTS.maxReceiveCount);
    if (maxConcurrency >= reservedConcurrency) {
      Annotations.of(this).addWarningV2(
        'atlas-key-worker:concurrency',
        `maxConcurrency (${maxConcurrency}) leaves no reserved concurrency (${reservedConcurrency}) for the ` +
          'scheduled fan-out: invocations will be throttled',
      );
    }
    const alarmTopic = resolveAlarmTopic(this, props);
    if (alarmTopic) this.alarmTopic = alarmTopic;

    // Lanes and state.
    const lanes = createWorkerLanes(this, {
      workVisibilityTimeout: visibilityTimeout,
      urgentVisibilityTimeout: this.urgentLaneTiming.visibilityTimeout,
    });
    this.workQueue = lanes.workQueue;
    this.deadLetterQueue = lanes.workDeadLetterQueue;
    this.urgentQueue = lanes.urgentQueue;
    this.urgentDeadLetterQueue = lanes.urgentDeadLetterQueue;
    this.failedInvocationsQueue = lanes.failedInvocationsQueue;
    this.stateTable = createStateTable(this, 'StateTable');

    let network: WorkerNetwork | undefined;
    if (props.staticEgress) {
      const egress = new StaticEgress(this, 'StaticEgress', { ...props.staticEgress, flowLogRetention: logRetention });
      this.vpc = egress.vpc;
      network = { vpc: egress.vpc, vpcSubnets: egress.vpcSubnets, securityGroups: [egress.securityGroup] };
      this.egressIps = egress.egressIps;
    } else {
      this.egressIps = [];
    }

    // The worker's own egress IPs are protected: no sweep may prune them from any key. Known only at deploy
    // time, so the JSON is a token that CloudFormation completes.
    const keyPolicy =
      this.egressIps.length > 0
        ? stack.toJsonString({
            ...resolved.policy,
            protectedEntries: [...resolved.policy.protectedEntries, ...this.egressIps],
          })
        : resolved.json;

    const environment: Record<string, string> = {
      ATLAS_SECRET_ID: this.secretArn,
      KEY_POLICY: keyPolicy,
      WORK_QUEUE_URL: this.workQueue.queueUrl,
      URGENT_QUEUE_URL: this.urgentQueue.queueUrl,
      STATE_TABLE_NAME: this.stateTable.tableName,
      ...(rotation ? { ROTATION_CONFIG: rotation.json } : {}),
      POWERTOOLS_SERVICE_NAME: SERVICE_NAME,
      POWERTOOLS_METRICS_NAMESPACE: metricsNamespace,
      POWERTOOLS_LOG_LEVEL: 'INFO',
      POWERTOOLS_TRACE_ENABLED: String(tracing),
      // Responses may carry secret values (GetSecretValue); errors are redacted by the client.
      POWERTOOLS_TRACER_CAPTURE_RESPONSE: 'false',
      NODE_OPTIONS: '--enable-source-maps',
    };
    checkEnvironmentSize('the functions’ environment', stack.resolve(environment) as Record<string, unknown>);

    // Functions: one bundle, two timeouts (see createWorkerFunction).
    const common = {
      memorySize: props.memorySize ?? DEFAULTS.memorySize,
      environment,
      tracing,
      failedInvocationsQueue: this.failedInvocationsQueue,
      ...(network ? { network } : {}),
    };
    this.logGroup = new LogGroup(this, 'LogGroup', { retention: logRetention });
    this.workerFunction = createWorkerFunction(this, 'Function', {
      ...common,
      description: 'Atlas key worker: sweeps, work lane, schedules, rotation',
      timeout,
      reservedConcurrency,
      logGroup: this.logGroup,
    });
    this.urgentLogGroup = new LogGroup(this, 'UrgentLogGroup', { retention: logRetention });
    this.urgentFunction = createWorkerFunction(this, 'UrgentFunction', {
      ...common,
      description: 'Atlas key worker: urgent lane (key revocations)',
      timeout: urgentTimeout,
      reservedConcurrency: urgentConcurrency,
      logGroup: this.urgentLogGroup,
    });

    // Permissions: read exactly the credentials secrets; the state table's item actions; the worker sends to
    // its own lane (fan-out, continuations). The urgent function only consumes its queue.
    const secretArns = [this.secretArn, ...perOrgSecrets.map((org) => org.secretId)];
    for (const fn of [this.workerFunction, this.urgentFunction]) {
      grantSecretsRead(fn, secretArns);
      if (props.secretKmsKey) grantSecretKey(this, fn, props.secretKmsKey, rotation !== undefined && fn === this.workerFunction);
      grantStateTableAccess(this.stateTable, fn);
    }
    this.workQueue.grantSendMessages(this.workerFunction);

    // FIFO event sources take no batching window; maximum concurrency applies, capped by the message groups.
    this.workerFunction.addEventSource(
      new SqsEventSource(this.workQueue, {
        batchSize: props.batchSize ?? DEFAULTS.batchSize,
        maxConcurrency,
        reportBatchItemFailures: true,
      }),
    );
    this.urgentFunction.addEventSource(
      new SqsEventSource(this.urgentQueue, {
        batchSize: 1,
        maxConcurrency: urgentConcurrency,
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

    if (revocationSources) {
      this.revocationRule = createRevocationRule(this, 'RevocationRule', {
        sources: revocationSources,
        urgentQueue: this.urgentQueue,
        failedInvocationsQueue: this.failedInvocationsQueue,
        ...(props.revocationEventBus ? { eventBus: props.revocationEventBus } : {}),
      });
    }

    if (rotation) {
      this.rotation = new WorkerRotation(this, 'Rotation', { rotationFunction: this.workerFunction, rotation });
    }

    if (alarmTopic) {
      this.alarms = new WorkerAlarms(this, 'Alarms', {
        workerFunction: this.workerFunction,
        urgentFunction: this.urgentFunction,
        workQueue: this.workQueue,
        workDeadLetterQueue: this.deadLetterQueue,
        urgentDeadLetterQueue: this.urgentDeadLetterQueue,
        failedInvocationsQueue: this.failedInvocationsQueue,
        metricsNamespace,
        heartbeatOrgIds: schedules.length > 0 ? resolved.policy.orgs.map((org) => org.orgId) : [],
        heartbeatWindow,
        workQueueMaxAge,
        rotation: rotation !== undefined,
        alarmTopic,
      });
    }
    this.dashboard = new WorkerDashboard(this, 'Dashboard', {
      workerFunction: this.workerFunction,
      urgentFunction: this.urgentFunction,
      workQueue: this.workQueue,
      workDeadLetterQueue: this.deadLetterQueue,
      urgentQueue: this.urgentQueue,
      urgentDeadLetterQueue: this.urgentDeadLetterQueue,
      failedInvocationsQueue: this.failedInvocationsQueue,
      metricsNamespace,
      alarms: this.alarms?.all ?? [],
    });

    acknowledgeWorkerFindings({
      functions: [this.workerFunction, this.urgentFunction],
      deadLetterQueues: [this.deadLetterQueue, this.urgentDeadLetterQueue, this.failedInvocationsQueue],
      failedInvocationsQueue: this.failedInvocationsQueue,
      inVpc: network !== undefined,
      tracing,
    });
    applyWorkerTags(this, tags);
  }
}
