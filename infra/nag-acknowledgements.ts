import { Validations } from 'aws-cdk-lib';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { IConstruct } from 'constructs';

/** The parts of the worker that carry acknowledged cdk-nag findings. */
export interface AcknowledgedParts {
  readonly functions: readonly IFunction[];
  /** Queues that are themselves dead-letter queues (of a lane, of async invocations, of EventBridge targets). */
  readonly deadLetterQueues: readonly IQueue[];
  readonly failedInvocationsQueue: IQueue;
  /** Whether the functions run in a VPC (static egress). */
  readonly inVpc: boolean;
  readonly tracing: boolean;
}

/**
 * Acknowledges the cdk-nag findings (AwsSolutions and Serverless packs) that the worker's design accepts, each
 * on the one construct concerned and with the reason a reviewer needs. Acknowledgements are construct
 * metadata: without cdk-nag they do nothing. A test keeps this list exact: an acknowledgement whose finding no
 * longer occurs fails it.
 */
export function acknowledgeWorkerFindings(parts: AcknowledgedParts): void {
  Validations.of(parts.failedInvocationsQueue).acknowledge({
    id: 'AwsSolutions-SQS3',
    reason:
      'This queue is itself a dead-letter queue: the on-failure destination of asynchronous invocations and the ' +
      "dead-letter queue of the EventBridge targets. cdk-nag only recognises DLQs named in a queue's redrive " +
      'policy. A DLQ behind it would only move the same records again; its depth is alarmed instead.',
  });
  for (const queue of parts.deadLetterQueues) {
    Validations.of(queue).acknowledge({
      id: 'Serverless-SQSRedrivePolicy',
      reason:
        'This queue is a dead-letter queue: nothing consumes it, so nothing can fail to process its messages. ' +
        'Its depth is alarmed; messages are redriven to their lane by an operator after the cause is fixed.',
    });
  }

  for (const fn of parts.functions) {
    Validations.of(fn).acknowledge({
      id: 'Serverless-LambdaDLQ',
      reason:
        'Failed asynchronous invocations go to an on-failure destination (EventInvokeConfig → the failed-' +
        'invocations queue), which supersedes DeadLetterConfig and records the error too; configuring both ' +
        'would deliver every failed event twice.',
    });
    Validations.of(fn).acknowledge({
      id: 'Serverless-LambdaEventSourceMappingDestination',
      reason:
        'The event source is an SQS queue: Lambda supports on-failure destinations only for stream and Kafka ' +
        "sources. A failed SQS message goes to the queue's own dead-letter queue (redrive policy, alarmed).",
    });
    const role = fn.role;
    if (!role) continue;
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      reason:
        'AWSLambdaBasicExecutionRole grants only logs:CreateLogGroup, logs:CreateLogStream and logs:PutLogEvents, ' +
        'the minimum a Lambda function needs to write its logs; AWS maintains it.',
    });
    if (parts.inVpc) {
      Validations.of(role).acknowledge({
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole]',
        reason:
          'AWSLambdaVPCAccessExecutionRole grants the EC2 network-interface actions Lambda needs to attach the ' +
          'function to its VPC subnets for static egress. Those actions do not support resource-level ' +
          'permissions, so a customer-managed copy would be the same policy.',
      });
    }
    if (parts.tracing) {
      Validations.of(role).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'Active tracing grants xray:PutTraceSegments and xray:PutTelemetryRecords, which support no resource-' +
          'level permissions (Resource must be *). Every other statement of this role names its resources.',
      });
    } else {
      Validations.of(fn).acknowledge({
        id: 'Serverless-LambdaTracing',
        reason:
          'Tracing was turned off explicitly (prop tracing: false, or -c tracing=false): the owner chose to do ' +
          'without X-Ray; logs, metrics and the audit records remain.',
      });
    }
  }
}

/** Acknowledges the one finding of an e-mail subscription to the alarm topic. */
export function acknowledgeAlarmEmailSubscription(subscription: IConstruct): void {
  Validations.of(subscription).acknowledge({
    id: 'Serverless-SNSRedrivePolicy',
    reason:
      'An e-mail subscription for alarm notifications: an undeliverable alarm e-mail parked in a dead-letter ' +
      'queue would need its own alarm, delivered through this same topic. CloudWatch keeps every alarm state ' +
      'and its history, and the dashboard shows the alarms.',
  });
}
