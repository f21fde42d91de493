import type { Context, SQSEvent } from 'aws-lambda';

/** A Lambda context with `remainingMs` left (15 minutes: the Lambda maximum). */
export function lambdaContext(remainingMs = 15 * 60_000): Context {
  const deadline = Date.now() + remainingMs;
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: 'atlas-key-worker',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:atlas-key-worker',
    memoryLimitInMB: '512',
    awsRequestId: 'bench-0000-0000-0000-000000000000',
    logGroupName: '/aws/lambda/atlas-key-worker',
    logStreamName: 'bench',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/** An SQS batch of one message per body from the urgent lane (a standard queue: revocations). */
export function sqsEvent(...bodies: string[]): SQSEvent {
  return laneEvent('arn:aws:sqs:us-east-1:123456789012:atlas-key-worker-urgent', bodies);
}

/**
 * An SQS batch from the FIFO work lane, where sweeps must arrive (the worker refuses them from a standard
 * queue): each record in its org's message group, as the worker enqueues it.
 */
export function workLaneEvent(...bodies: string[]): SQSEvent {
  return laneEvent('arn:aws:sqs:us-east-1:123456789012:atlas-key-worker-work.fifo', bodies);
}

function laneEvent(eventSourceARN: string, bodies: readonly string[]): SQSEvent {
  const fifo = eventSourceARN.endsWith('.fifo');
  return {
    Records: bodies.map((body, index) => ({
      messageId: `bench-message-${index}`,
      receiptHandle: 'bench',
      body,
      attributes: {
        ApproximateReceiveCount: '1',
        SentTimestamp: String(Date.now()),
        SenderId: 'bench',
        ApproximateFirstReceiveTimestamp: String(Date.now()),
        ...(fifo ? { MessageGroupId: String((JSON.parse(body) as { orgId?: unknown }).orgId), MessageDeduplicationId: `bench-${index}` } : {}),
      },
      messageAttributes: {},
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN,
      awsRegion: 'us-east-1',
    })),
  };
}
