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

/** An SQS batch of one message per body, as the event source mapping delivers it. */
export function sqsEvent(...bodies: string[]): SQSEvent {
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
      },
      messageAttributes: {},
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:atlas-key-worker',
      awsRegion: 'us-east-1',
    })),
  };
}
