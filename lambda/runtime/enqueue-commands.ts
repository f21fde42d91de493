import { createHash } from 'node:crypto';
import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { Command } from '../commands/schema.ts';

/**
 * Sends commands to the work lane, ten per request (the SQS batch limit); throws if any entry failed. On a FIFO
 * queue every command goes to its org's message group (one writer per org) with a deduplication id derived from
 * the command itself, so a command sent twice within SQS's five-minute window (a retried fan-out, a redelivered
 * sweep enqueuing its continuation again) is delivered once.
 */
export async function enqueueCommands(
  sqs: SQSClient,
  queueUrl: string,
  commands: readonly Command[],
  today = new Date(),
  /** The id of the queue message whose handling enqueues them (a continuation's), if any. */
  source?: string,
): Promise<void> {
  const fifo = queueUrl.endsWith('.fifo');
  for (let start = 0; start < commands.length; start += 10) {
    const slice = commands.slice(start, start + 10);
    const reply = await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: slice.map((command, index) => ({
          Id: String(index),
          MessageBody: JSON.stringify(command),
          ...(fifo ? { MessageGroupId: messageGroupOf(command), MessageDeduplicationId: deduplicationIdOf(command, today, source) } : {}),
        })),
      }),
    );
    if (reply.Failed && reply.Failed.length > 0) {
      const first = reply.Failed[0];
      throw new Error(`could not enqueue ${reply.Failed.length} command(s): ${first?.Code ?? ''} ${first?.Message ?? ''}`.trim());
    }
  }
}

/** The org a command writes to: its message group on the FIFO lane. */
export function messageGroupOf(command: Command): string {
  return 'orgId' in command ? command.orgId : `group-${command.groupId}`;
}

/**
 * The command's identity: a continuation carries its run id and position, and the message it continues
 * (`source`, stable across redeliveries of that message); a scheduled sweep is one per org and UTC day (the
 * schedule may fire twice). Without `source`, a continuation that could not move past its cursor would equal the
 * message that produced it, and SQS would drop it as that message's duplicate: the run would end unseen.
 */
export function deduplicationIdOf(command: Command, today: Date, source?: string): string {
  const base = command.action === 'sweep' && command.cursor === undefined ? { ...command, day: today.toISOString().slice(0, 10) } : command;
  const identity = source === undefined ? base : { ...base, source };
  return createHash('sha256').update(JSON.stringify(identity)).digest('hex');
}
