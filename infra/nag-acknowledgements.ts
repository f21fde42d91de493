import { Validations } from 'aws-cdk-lib';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';

/** The parts of the worker that carry acknowledged cdk-nag findings. */
export interface AcknowledgedParts {
  readonly workerFunction: IFunction;
  readonly failedInvocationsQueue: IQueue;
  /** Whether the function runs in a VPC (static egress). */
  readonly inVpc: boolean;
}

/**
 * Acknowledges the cdk-nag AwsSolutions findings that the worker's design accepts, each on the one construct
 * concerned and with the reason a reviewer needs. Acknowledgements are construct metadata: without cdk-nag
 * they do nothing.
 */
export function acknowledgeWorkerFindings(parts: AcknowledgedParts): void {
  Validations.of(parts.failedInvocationsQueue).acknowledge({
    id: 'AwsSolutions-SQS3',
    reason:
      'This queue is itself a dead-letter queue: the on-failure destination of asynchronous invocations and the ' +
      "dead-letter queue of the EventBridge targets. cdk-nag only recognises DLQs named in a queue's redrive " +
      'policy. A DLQ behind it would only move the same records again; its depth is alarmed instead.',
  });

  const role = parts.workerFunction.role;
  if (!role) return;
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
        'function to its VPC subnets for static egress. Those actions do not support resource-level permissions, ' +
        'so a customer-managed copy would be the same policy.',
    });
  }
}
