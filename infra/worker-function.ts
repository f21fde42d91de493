import { fileURLToPath } from 'node:url';
import type { Duration } from 'aws-cdk-lib';
import type { ISecurityGroup, IVpc, SubnetSelection } from 'aws-cdk-lib/aws-ec2';
import { Architecture, RecursiveLoop, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { LogLevel, NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { ILogGroup } from 'aws-cdk-lib/aws-logs';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { DEFAULTS } from './defaults.ts';

/** The newest Node.js runtime in this aws-cdk-lib; the tests fail when a newer one appears. */
export const WORKER_RUNTIME = Runtime.NODEJS_24_X;

const HANDLER_ENTRY = fileURLToPath(new URL('../lambda/handler.ts', import.meta.url));
const LOCK_FILE = fileURLToPath(new URL('../package-lock.json', import.meta.url));

/** Defines `require` in the ESM bundle, for the CommonJS dependencies that call it. */
const ESM_REQUIRE_BANNER =
  "import { createRequire as __awsKeyWorkerCreateRequire } from 'node:module'; " +
  'const require = __awsKeyWorkerCreateRequire(import.meta.url);';

/** Network placement of the function, with static egress. */
export interface WorkerNetwork {
  readonly vpc: IVpc;
  readonly vpcSubnets: SubnetSelection;
  readonly securityGroups: ISecurityGroup[];
}

/** Props of `createWorkerFunction`. */
export interface WorkerFunctionProps {
  readonly description: string;
  readonly timeout: Duration;
  readonly memorySize: number;
  readonly reservedConcurrency: number;
  readonly logGroup: ILogGroup;
  readonly environment: Record<string, string>;
  readonly tracing: boolean;
  /** On-failure destination of asynchronous invocations. */
  readonly failedInvocationsQueue: IQueue;
  readonly network?: WorkerNetwork;
}

/**
 * One Lambda function running `lambda/handler.ts`. The worker and the urgent lane are two functions built from
 * the same bundle (same entry and options, so one asset) because Lambda requires an SQS queue's visibility
 * timeout to be at least the consuming function's timeout: a 15-minute sweep function cannot consume a queue
 * whose failed messages must reach their DLQ within minutes.
 */
export function createWorkerFunction(scope: Construct, id: string, props: WorkerFunctionProps): NodejsFunction {
  return new NodejsFunction(scope, id, {
    description: props.description,
    entry: HANDLER_ENTRY,
    handler: 'handler',
    depsLockFilePath: LOCK_FILE,
    runtime: WORKER_RUNTIME,
    architecture: Architecture.ARM_64,
    memorySize: props.memorySize,
    timeout: props.timeout,
    // A long sweep continues itself through its own queue (function → queue → function) by design, more than
    // the ~16 hops after which Lambda would otherwise stop the chain. Each hop must make progress (the
    // runtime fails a continuation that scanned nothing), so the loop is bounded by the org's size.
    recursiveLoop: RecursiveLoop.ALLOW,
    reservedConcurrentExecutions: props.reservedConcurrency,
    logGroup: props.logGroup,
    tracing: props.tracing ? Tracing.ACTIVE : Tracing.DISABLED,
    ...(props.network
      ? {
          vpc: props.network.vpc,
          vpcSubnets: props.network.vpcSubnets,
          securityGroups: props.network.securityGroups,
        }
      : {}),
    retryAttempts: DEFAULTS.asyncRetryAttempts,
    onFailure: new SqsDestination(props.failedInvocationsQueue),
    environment: props.environment,
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
}
