import { readFileSync } from 'node:fs';
import { CfnOutput, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import { Schedule } from 'aws-cdk-lib/aws-events';
import { type ISecret, Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { Construct } from 'constructs';
import { parsePolicy } from '../lambda/policy/parse-policy.ts';
import type { PolicyInput } from '../lambda/policy/schema.ts';
import { AtlasKeyWorker } from './atlas-key-worker.ts';
import type { StackSettings } from './stack-settings.ts';

/** Props of `AtlasKeyWorkerStack`. */
export interface AtlasKeyWorkerStackProps extends StackProps {
  /** Read from CDK context with `readStackSettings`. */
  readonly settings: StackSettings;
}

/** One `AtlasKeyWorker` configured from CDK context, with an optional e-mail alarm topic. */
export class AtlasKeyWorkerStack extends Stack {
  readonly worker: AtlasKeyWorker;

  constructor(scope: Construct, id: string, props: AtlasKeyWorkerStackProps) {
    super(scope, id, props);
    const { settings } = props;

    let alarmTopic: Topic | undefined;
    if (settings.alarmEmail !== undefined) {
      alarmTopic = new Topic(this, 'AlarmTopic', { displayName: 'Atlas key worker alarms', enforceSSL: true });
      alarmTopic.addSubscription(new EmailSubscription(settings.alarmEmail));
      Validations.of(alarmTopic).acknowledge({
        id: 'AwsSolutions-SNS2',
        reason:
          'Alarm notifications carry alarm names and states, nothing secret. CloudWatch cannot publish to a topic ' +
          'encrypted with the AWS-managed SNS key, and a customer-managed key would add cost and a key policy for ' +
          'no confidentiality gain.',
      });
    }

    this.worker = new AtlasKeyWorker(this, 'Worker', {
      secret: importSecret(this, settings),
      policy: loadPolicy(settings),
      ...(settings.dryRun === undefined ? {} : { dryRun: settings.dryRun }),
      ...(settings.scheduleExpressions === undefined
        ? {}
        : { schedules: settings.scheduleExpressions.map((expression) => Schedule.expression(expression)) }),
      ...(alarmTopic ? { alarmTopic } : {}),
      ...(settings.staticEgress ? { staticEgress: {} } : {}),
    });

    new CfnOutput(this, 'WorkQueueUrl', {
      value: this.worker.workQueue.queueUrl,
      description: 'Send commands here (see the JSON Schema of the command contract)',
    });
    new CfnOutput(this, 'FunctionName', { value: this.worker.workerFunction.functionName });
    new CfnOutput(this, 'DryRun', { value: String(this.worker.policy.dryRun) });
  }
}

function importSecret(scope: Construct, settings: StackSettings): ISecret {
  return settings.secret.kind === 'arn'
    ? Secret.fromSecretCompleteArn(scope, 'AtlasCredentials', settings.secret.arn)
    : Secret.fromSecretNameV2(scope, 'AtlasCredentials', settings.secret.name);
}

/** The policy file when given (validated, the error naming the file), else a policy of the context's orgs. */
function loadPolicy(settings: StackSettings): PolicyInput {
  if (settings.policyFile === undefined) return { orgs: settings.orgIds.map((orgId) => ({ orgId })) };
  let text: string;
  try {
    text = readFileSync(settings.policyFile, 'utf8');
  } catch (error) {
    throw new Error(`context "policyFile": cannot read ${settings.policyFile} (${(error as Error).message})`);
  }
  parsePolicy(text, settings.policyFile);
  return JSON.parse(text) as PolicyInput;
}
