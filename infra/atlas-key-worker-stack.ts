import { readFileSync } from 'node:fs';
import { Annotations, CfnOutput, CfnParameter, Duration, Fn, Stack, type StackProps } from 'aws-cdk-lib';
import { Schedule } from 'aws-cdk-lib/aws-events';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { type ITopic, Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { Construct } from 'constructs';
import { parsePolicy } from '../lambda/policy/parse-policy.ts';
import type { Policy, PolicyInput } from '../lambda/policy/schema.ts';
import { AtlasKeyWorker } from './atlas-key-worker.ts';
import type { AtlasKeyWorkerProps } from './atlas-key-worker-props.ts';
import { DEFAULTS } from './defaults.ts';
import { acknowledgeAlarmEmailSubscription } from './nag-acknowledgements.ts';
import type { RotationOptions } from './rotation-config.ts';
import { orgSecrets } from './secret-arns.ts';
import { PLACEHOLDER_ORG_ID, type StackSettings } from './stack-settings.ts';
import { applyWorkerTags } from './worker-tags.ts';

/** Props of `AtlasKeyWorkerStack`. */
export interface AtlasKeyWorkerStackProps extends StackProps {
  /** Read from CDK context with `readStackSettings`. */
  readonly settings: StackSettings;
}

/** Names of the stack's outputs, which the README's walk-through queries. */
export const STACK_OUTPUTS = {
  workQueueUrl: 'WorkQueueUrl',
  urgentQueueUrl: 'UrgentQueueUrl',
  functionName: 'FunctionName',
  urgentFunctionName: 'UrgentFunctionName',
  stateTableName: 'StateTableName',
  dryRun: 'DryRun',
  egressIps: 'EgressIps',
  alarmTopicArn: 'AlarmTopicArn',
  dashboardName: 'DashboardName',
} as const;

/**
 * One `AtlasKeyWorker` configured from CDK context. Values a deployment cannot do without — the secret's ARN
 * and an alarm destination — have no defaults: when the context lacks them, the template declares required
 * CloudFormation parameters (`AtlasCredentialsArn`, `AlarmEmail`), so that `cdk synth` works offline while
 * `cdk deploy` fails until they are given (as context, or with `--parameters`).
 */
export class AtlasKeyWorkerStack extends Stack {
  readonly worker: AtlasKeyWorker;

  constructor(scope: Construct, id: string, props: AtlasKeyWorkerStackProps) {
    super(scope, id, props);
    const { settings } = props;
    applyWorkerTags(this, settings.tags);

    const secretArn = settings.secretArn ?? this.requiredParameter('AtlasCredentialsArn', secretArnParameter);
    const secret = Secret.fromSecretCompleteArn(this, 'AtlasCredentials', secretArn);
    const { input: policyInput, policy } = loadPolicy(settings);
    if (settings.policyFile === undefined && settings.orgIds.length === 1 && settings.orgIds[0] === PLACEHOLDER_ORG_ID) {
      Annotations.of(this).addWarningV2(
        'atlas-key-worker:placeholder-org',
        `neither orgIds nor policyFile given: the policy sweeps the placeholder org ${PLACEHOLDER_ORG_ID}; do not deploy this`,
      );
    }

    const workerProps: AtlasKeyWorkerProps = {
      secret,
      policy: policyInput,
      ...(settings.dryRun === undefined ? {} : { dryRun: settings.dryRun }),
      ...(settings.scheduleExpressions === undefined
        ? {}
        : { schedules: settings.scheduleExpressions.map((expression) => Schedule.expression(expression)) }),
      ...this.alarmProps(settings),
      ...(settings.staticEgress
        ? {
            staticEgress: {
              ...(settings.natGatewayPerAz === undefined ? {} : { natGatewayPerAz: settings.natGatewayPerAz }),
              ...(settings.elasticIpAllocationIds === undefined
                ? {}
                : { elasticIpAllocationIds: settings.elasticIpAllocationIds }),
            },
          }
        : {}),
      ...(settings.secretKmsKeyArn === undefined
        ? {}
        : { secretKmsKey: Key.fromKeyArn(this, 'SecretKey', settings.secretKmsKeyArn) }),
      ...(settings.revocationSources === undefined
        ? { revocationRule: false }
        : { revocationSources: settings.revocationSources }),
      ...(settings.tracing === undefined ? {} : { tracing: settings.tracing }),
      ...(settings.logRetention === undefined ? {} : { logRetention: settings.logRetention }),
      ...(settings.rotateOwnSecret ? { rotation: this.ownSecretRotation(settings, secret, policy) } : {}),
      tags: settings.tags,
    };
    this.worker = new AtlasKeyWorker(this, 'Worker', workerProps);
    this.addOutputs();
  }

  /** `alarms: false` as asked; the topic given by ARN; or an e-mail topic (the address a parameter if absent). */
  private alarmProps(settings: StackSettings): Pick<AtlasKeyWorkerProps, 'alarms' | 'alarmTopic'> {
    if (!settings.alarms) return { alarms: false };
    let topic: ITopic;
    if (settings.alarmTopicArn !== undefined) {
      topic = Topic.fromTopicArn(this, 'ImportedAlarmTopic', settings.alarmTopicArn);
      if (settings.alarmEmail === undefined) return { alarmTopic: topic };
    } else {
      // At stack level, with the id it has always had, so that an existing deployment keeps its confirmed
      // subscription.
      topic = new Topic(this, 'AlarmTopic', { displayName: 'Atlas key worker alarms', enforceSSL: true });
    }
    const email =
      settings.alarmEmail ??
      this.requiredParameter('AlarmEmail', {
        description:
          'E-mail address for every alarm (required: no alarm may go unheard). Or synthesize with ' +
          '-c alarmEmail=… or -c alarmTopicArn=…, or -c alarms=false to deploy without alarms.',
        allowedPattern: '^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$',
        constraintDescription: 'must be an e-mail address',
      });
    if (settings.alarmEmail === undefined) {
      Annotations.of(this).addWarningV2(
        'atlas-key-worker:alarm-destination',
        'neither alarmEmail nor alarmTopicArn given: deploying requires the AlarmEmail parameter ' +
          '(--parameters AlarmEmail=…), or -c alarms=false to deploy without alarms',
      );
    }
    acknowledgeAlarmEmailSubscription(topic.addSubscription(new EmailSubscription(email)));
    return { alarmTopic: topic };
  }

  /** `-c rotateOwnSecret=true`: the worker's secret (and each org's own `secretId`) rotated by the worker. */
  private ownSecretRotation(settings: StackSettings, secret: AtlasKeyWorkerProps['secret'], policy: Policy): RotationOptions {
    const perOrg = orgSecrets(policy.orgs);
    const usingMain = policy.orgs.filter((org) => !perOrg.some((own) => own.orgId === org.orgId));
    const orgId = settings.rotationOrgId ?? (usingMain.length === 1 ? usingMain[0]?.orgId : undefined);
    const graceDays = settings.rotationGraceDays ?? DEFAULTS.rotationGraceDays;
    const secrets: RotationOptions['secrets'][number][] = [];
    if (usingMain.length > 0) {
      if (orgId === undefined) {
        throw new Error(
          `context "rotationOrgId" is required with rotateOwnSecret: ${usingMain.length} policy orgs use the ` +
            "worker's secret, and an Atlas API key belongs to one org",
        );
      }
      secrets.push({ secret, orgId, graceDays });
    }
    for (const own of perOrg) {
      secrets.push({
        secret: Secret.fromSecretCompleteArn(this, `OrgSecret${own.index}`, own.secretId),
        orgId: own.orgId,
        graceDays,
      });
    }
    return {
      secrets,
      every: settings.rotationEveryDays === undefined ? DEFAULTS.rotationEvery : Duration.days(settings.rotationEveryDays),
    };
  }

  private requiredParameter(id: string, options: ConstructorParameters<typeof CfnParameter>[2]): string {
    return new CfnParameter(this, id, { type: 'String', ...options }).valueAsString;
  }

  private addOutputs(): void {
    const worker = this.worker;
    const output = (id: string, value: string, description: string) => new CfnOutput(this, id, { value, description });
    output(
      STACK_OUTPUTS.workQueueUrl,
      worker.workQueue.queueUrl,
      'FIFO work lane: sweeps, prunes, unassignments (MessageGroupId = orgId, a MessageDeduplicationId per message)',
    );
    output(STACK_OUTPUTS.urgentQueueUrl, worker.urgentQueue.queueUrl, 'Urgent lane: revokeKey and deleteOrgKey');
    output(STACK_OUTPUTS.functionName, worker.workerFunction.functionName, 'Worker function (direct invocation: {"action":"check"})');
    output(STACK_OUTPUTS.urgentFunctionName, worker.urgentFunction.functionName, 'Urgent-lane function');
    output(STACK_OUTPUTS.stateTableName, worker.stateTable.tableName, 'State table (write budgets, next-due)');
    output(STACK_OUTPUTS.dryRun, String(worker.policy.dryRun), 'Whether sweeps only report');
    output(STACK_OUTPUTS.dashboardName, worker.dashboard.dashboard.dashboardName, 'CloudWatch dashboard');
    if (worker.alarmTopic) output(STACK_OUTPUTS.alarmTopicArn, worker.alarmTopic.topicArn, 'Every alarm notifies this topic');
    if (worker.egressIps.length > 0) {
      output(
        STACK_OUTPUTS.egressIps,
        Fn.join(',', [...worker.egressIps]),
        "The worker's egress IPs: add each to the worker key's API access list before the first sweep",
      );
    }
  }
}

const secretArnParameter = {
  description:
    "Complete ARN of the Secrets Manager secret with the worker's Atlas credentials, in this stack's region. " +
    'Or synthesize with -c secretArn=….',
  allowedPattern: '^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:[0-9]{12}:secret:.+-[A-Za-z0-9]{6}$',
  constraintDescription: "must be a secret's complete ARN, with its 6-character suffix",
};

/**
 * The policy file when given (validated, the error naming the file), else a policy of the context's orgs. The
 * input goes to the construct as written (it applies `dryRun` and the defaults); the parsed one tells the
 * stack which orgs have their own secrets.
 */
function loadPolicy(settings: StackSettings): { input: PolicyInput; policy: Policy } {
  if (settings.policyFile === undefined) {
    const input: PolicyInput = { orgs: settings.orgIds.map((orgId) => ({ orgId })) };
    return { input, policy: parsePolicy(input) };
  }
  let text: string;
  try {
    text = readFileSync(settings.policyFile, 'utf8');
  } catch (error) {
    throw new Error(`context "policyFile": cannot read ${settings.policyFile} (${(error as Error).message})`);
  }
  const policy = parsePolicy(text, settings.policyFile);
  return { input: JSON.parse(text) as PolicyInput, policy };
}
