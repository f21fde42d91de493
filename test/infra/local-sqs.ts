import { createHash, randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One message a client sent, as the queue would hold it. */
export interface SentMessage {
  readonly queueUrl: string;
  readonly messageId: string;
  readonly body: string;
  readonly messageGroupId?: string;
  readonly messageDeduplicationId?: string;
}

interface Entry {
  Id?: string;
  MessageBody?: string;
  MessageGroupId?: string;
  MessageDeduplicationId?: string;
}

/**
 * A minimal SQS endpoint on 127.0.0.1 speaking the service's JSON 1.0 protocol for `SendMessage` and
 * `SendMessageBatch`, so that the real SDK client (pointed here by AWS_ENDPOINT_URL_SQS, with queue URLs on this
 * origin) is exercised end to end, MD5 check of the answer included. It refuses what SQS refuses on a FIFO queue
 * (`.fifo` URL) whose content-based deduplication is off: an entry without a group id or a deduplication id.
 */
export async function startLocalSqs() {
  const messages: SentMessage[] = [];
  const server = createServer((request, response) => {
    let text = '';
    request.on('data', (chunk: Buffer) => {
      text += chunk.toString('utf8');
    });
    request.on('end', () => {
      const reply = (status: number, payload: unknown) => {
        response.writeHead(status, { 'content-type': 'application/x-amz-json-1.0' });
        response.end(JSON.stringify(payload));
      };
      const refuse = (code: string, message: string) => reply(400, { __type: `com.amazonaws.sqs#${code}`, message });
      const target = String(request.headers['x-amz-target'] ?? '');
      const input = JSON.parse(text || '{}') as { QueueUrl?: string; Entries?: Entry[] } & Entry;
      const queueUrl = input.QueueUrl ?? '';
      const fifo = queueUrl.endsWith('.fifo');
      // What SQS checks of one entry; undefined when it is accepted.
      const problem = (entry: Entry): string | undefined => {
        if (typeof entry.MessageBody !== 'string' || entry.MessageBody === '') return 'The request must contain the parameter MessageBody.';
        if (fifo && !entry.MessageGroupId) return 'The request must contain the parameter MessageGroupId.';
        if (fifo && !entry.MessageDeduplicationId) {
          return 'The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly';
        }
        if (!fifo && entry.MessageGroupId) return 'The request include parameter that is not valid for this queue type';
        return undefined;
      };
      const accept = (entry: Entry) => {
        const messageId = randomUUID();
        messages.push({
          queueUrl,
          messageId,
          body: entry.MessageBody ?? '',
          ...(entry.MessageGroupId === undefined ? {} : { messageGroupId: entry.MessageGroupId }),
          ...(entry.MessageDeduplicationId === undefined ? {} : { messageDeduplicationId: entry.MessageDeduplicationId }),
        });
        return { MessageId: messageId, MD5OfMessageBody: createHash('md5').update(entry.MessageBody ?? '').digest('hex') };
      };
      if (!queueUrl.startsWith(`${url}/`)) return refuse('QueueDoesNotExist', 'The specified queue does not exist.');
      if (target === 'AmazonSQS.SendMessage') {
        const why = problem(input);
        return why === undefined ? reply(200, accept(input)) : refuse('MissingParameter', why);
      }
      if (target === 'AmazonSQS.SendMessageBatch') {
        const entries = input.Entries ?? [];
        if (entries.length === 0 || entries.length > 10) return refuse('TooManyEntriesInBatchRequest', 'between 1 and 10 entries');
        const successful = [];
        const failed = [];
        for (const entry of entries) {
          const why = problem(entry);
          if (why === undefined) successful.push({ Id: entry.Id, ...accept(entry) });
          else failed.push({ Id: entry.Id, SenderFault: true, Code: 'MissingParameter', Message: why });
        }
        return reply(200, { Successful: successful, Failed: failed });
      }
      refuse('UnsupportedOperation', `${target} is not supported by this local endpoint`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    /** `http://127.0.0.1:<port>`: the endpoint, and the origin of every queue URL it serves. */
    url,
    /** Every message accepted, in order. */
    messages,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
