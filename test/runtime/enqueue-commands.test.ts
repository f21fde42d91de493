import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Command } from '../../lambda/commands/schema.ts';
import { enqueueCommands } from '../../lambda/runtime/enqueue-commands.ts';
import { WORK_QUEUE_URL } from '../fixtures/sqs-lanes.ts';

const sqsMock = mockClient(SQSClient);
const ORG_A = 'aaaaaaaaaaaaaaaaaaaaaaaa';
const ORG_B = 'bbbbbbbbbbbbbbbbbbbbbbbb';
const DAY = new Date('2026-11-01T03:00:00Z');

/** The entries of every SendMessageBatch call, in order. */
const sent = () => sqsMock.commandCalls(SendMessageBatchCommand).flatMap((call) => call.args[0].input.Entries ?? []);

describe('Function: enqueueCommands', () => {
  beforeEach(() => {
    sqsMock.reset();
    sqsMock.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [] });
  });

  it('puts each command of the FIFO work lane in its org\'s message group, ten to a request', async () => {
    const commands: Command[] = Array.from({ length: 12 }, (_, i) => ({ action: 'sweep', orgId: i % 2 === 0 ? ORG_A : ORG_B }));

    await enqueueCommands(new SQSClient({}), WORK_QUEUE_URL, commands, DAY);

    expect(sqsMock.commandCalls(SendMessageBatchCommand).map((call) => call.args[0].input.Entries?.length)).toEqual([10, 2]);
    expect(sent().map((entry) => entry.MessageGroupId)).toEqual(commands.map((command) => ('orgId' in command ? command.orgId : '')));
    expect(sent().every((entry) => /^[0-9a-f]{64}$/.test(entry.MessageDeduplicationId ?? ''))).toBe(true);
  });

  it('deduplicates a scheduled sweep per org and UTC day, and a continuation per message it continues', async () => {
    const sweep: Command = { action: 'sweep', orgId: ORG_A };
    const continuation: Command = { action: 'sweep', orgId: ORG_A, cursor: { runId: 'run-1', order: 'sorted', after: 'abcdefgh', page: 2 } };
    const sqs = new SQSClient({});

    await enqueueCommands(sqs, WORK_QUEUE_URL, [sweep], DAY);
    await enqueueCommands(sqs, WORK_QUEUE_URL, [sweep], new Date('2026-11-01T23:59:00Z'));
    await enqueueCommands(sqs, WORK_QUEUE_URL, [sweep], new Date('2026-11-02T00:01:00Z'));
    await enqueueCommands(sqs, WORK_QUEUE_URL, [continuation], DAY, 'message-1');
    await enqueueCommands(sqs, WORK_QUEUE_URL, [continuation], DAY, 'message-1');
    await enqueueCommands(sqs, WORK_QUEUE_URL, [continuation], DAY, 'message-2');

    const ids = sent().map((entry) => entry.MessageDeduplicationId);
    // The schedule firing twice the same day: one message; the next day: another
    expect(ids[0]).toBe(ids[1]);
    expect(ids[2]).not.toBe(ids[0]);
    // A redelivered message enqueuing its continuation again: one message; the same continuation from another
    // message (a run that could not move past its cursor): a message of its own
    expect(ids[3]).toBe(ids[4]);
    expect(ids[5]).not.toBe(ids[3]);
  });

  it('sends no group or deduplication id to a standard queue', async () => {
    await enqueueCommands(new SQSClient({}), 'https://sqs.us-east-1.amazonaws.com/123456789012/atlas-key-worker', [{ action: 'sweep', orgId: ORG_A }], DAY);

    expect(sent()).toEqual([{ Id: '0', MessageBody: JSON.stringify({ action: 'sweep', orgId: ORG_A }) }]);
  });

  it('throws when SQS refuses an entry, naming its code', async () => {
    sqsMock.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [{ Id: '0', SenderFault: true, Code: 'InvalidParameterValue', Message: 'bad group' }] });

    await expect(enqueueCommands(new SQSClient({}), WORK_QUEUE_URL, [{ action: 'sweep', orgId: ORG_A }], DAY)).rejects.toThrow(
      'could not enqueue 1 command(s): InvalidParameterValue bad group',
    );
  });
});
