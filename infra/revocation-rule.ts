import { Stack } from 'aws-cdk-lib';
import { type IEventBus, Rule } from 'aws-cdk-lib/aws-events';
import { SqsQueue } from 'aws-cdk-lib/aws-events-targets';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { REVOCATION_DETAIL_TYPE } from '../lambda/commands/revocation-event-schema.ts';
import { DEFAULTS } from './defaults.ts';

/** EventBridge `source` values: 1 to 256 printable ASCII characters, no spaces. */
const EVENT_SOURCE = /^[\x21-\x7E]{1,256}$/;

/**
 * Checks `revocationSources`, required while the revocation rule is enabled: without a source filter, anyone
 * allowed to `PutEvents` on the bus could ask the worker to delete any key of a managed org.
 */
export function checkRevocationSources(sources: readonly string[] | undefined): readonly string[] {
  if (sources === undefined || sources.length === 0) {
    throw new Error(
      'revocationSources is required while the revocation rule is enabled: list the EventBridge sources allowed ' +
        "to request a key revocation (e.g. ['com.example.secret-scanner']; context -c revocationSources=…), or " +
        'set revocationRule: false',
    );
  }
  const seen = new Set<string>();
  sources.forEach((source, index) => {
    if (!EVENT_SOURCE.test(source) || source.includes('*')) {
      throw new Error(
        `revocationSources.${index} must be an EventBridge source: 1 to 256 printable ASCII characters, no spaces ` +
          `or wildcards (given ${JSON.stringify(source)})`,
      );
    }
    if (seen.has(source)) throw new Error(`revocationSources.${index} is listed twice (given "${source}")`);
    seen.add(source);
  });
  return sources;
}

/** Props of `createRevocationRule`. */
export interface RevocationRuleProps {
  readonly eventBus?: IEventBus;
  readonly sources: readonly string[];
  readonly urgentQueue: IQueue;
  readonly failedInvocationsQueue: IQueue;
}

/**
 * Forwards `Atlas API Key Revocation Requested` events, whole and unchanged, to the urgent lane: only events
 * put in the deployment's own account, and only from the listed sources.
 */
export function createRevocationRule(scope: Construct, id: string, props: RevocationRuleProps): Rule {
  return new Rule(scope, id, {
    description: 'Atlas key worker: forward key revocation requests to the urgent lane',
    ...(props.eventBus ? { eventBus: props.eventBus } : {}),
    eventPattern: {
      source: [...props.sources],
      detailType: [REVOCATION_DETAIL_TYPE],
      account: [Stack.of(scope).account],
    },
    targets: [
      new SqsQueue(props.urgentQueue, {
        retryAttempts: DEFAULTS.eventTargetRetryAttempts,
        deadLetterQueue: props.failedInvocationsQueue,
      }),
    ],
  });
}
