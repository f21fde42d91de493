import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { Command } from '../commands/schema.ts';

/** Sends commands to the work queue, ten per request (the SQS batch limit); throws if any entry failed. */
export async function enqueueCommands(sqs: SQSClient, queueUrl: string, commands: readonly Command[]): Promise<void> {
  for (let start = 0; start < commands.length; start += 10) {
    const slice = commands.slice(start, start + 10);
    const reply = await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: slice.map((command, index) => ({ Id: String(index), MessageBody: JSON.stringify(command) })),
      }),
    );
    if (reply.Failed && reply.Failed.length > 0) {
      const first = reply.Failed[0];
      throw new Error(`could not enqueue ${reply.Failed.length} command(s): ${first?.Code ?? ''} ${first?.Message ?? ''}`.trim());
    }
  }
}
