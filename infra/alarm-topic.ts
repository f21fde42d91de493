import { Token } from 'aws-cdk-lib';
import { type ITopic, Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { Construct } from 'constructs';
import { acknowledgeAlarmEmailSubscription } from './nag-acknowledgements.ts';

/** Where the alarms go (construct props). */
export interface AlarmDestination {
  /** `false`: no alarms at all. Must be given explicitly to deploy without an alarm destination. */
  readonly alarms?: boolean;
  readonly alarmEmail?: string;
  readonly alarmTopic?: ITopic;
}

const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

/**
 * The topic every alarm notifies: `alarmTopic`, or a new TLS-only topic; `alarmEmail` is subscribed to it.
 * Alarms that notify nobody are the failure this prevents, so one of the two is required unless `alarms` is
 * explicitly `false` (then there are no alarms, and `undefined` is returned).
 */
export function resolveAlarmTopic(scope: Construct, props: AlarmDestination): ITopic | undefined {
  const { alarms, alarmEmail, alarmTopic } = props;
  if (alarms === false) {
    if (alarmEmail !== undefined || alarmTopic !== undefined) {
      throw new Error('alarms: false creates no alarms, so alarmEmail and alarmTopic must not be given (given one)');
    }
    return undefined;
  }
  if (alarmEmail === undefined && alarmTopic === undefined) {
    throw new Error(
      'alarms need a destination: give alarmEmail or alarmTopic (app context: -c alarmEmail=… or ' +
        '-c alarmTopicArn=…), or set alarms: false (-c alarms=false) to deploy a worker whose failures nobody hears of',
    );
  }
  if (alarmEmail !== undefined && !Token.isUnresolved(alarmEmail) && !EMAIL.test(alarmEmail)) {
    throw new Error(`alarmEmail must be an email address (given "${alarmEmail}")`);
  }
  const topic = alarmTopic ?? new Topic(scope, 'AlarmTopic', { displayName: 'Atlas key worker alarms', enforceSSL: true });
  if (alarmEmail !== undefined) acknowledgeAlarmEmailSubscription(topic.addSubscription(new EmailSubscription(alarmEmail)));
  return topic;
}
