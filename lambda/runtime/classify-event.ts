import type { EventBridgeEvent, SQSEvent } from 'aws-lambda';
import { isRotationEvent } from '../rotation/parse-rotation-event.ts';

export type ClassifiedEvent =
  | { readonly type: 'sqs'; readonly event: SQSEvent }
  | { readonly type: 'scheduled'; readonly event: EventBridgeEvent<'Scheduled Event', unknown> }
  | { readonly type: 'command'; readonly payload: unknown }
  /** `{"action":"check"}`: the preflight check (lambda/check/), answered with its report. */
  | { readonly type: 'check'; readonly payload: unknown }
  /** Secrets Manager's `{SecretId, ClientRequestToken, Step}`: one step of a rotation (lambda/rotation/). */
  | { readonly type: 'rotation'; readonly event: unknown };

/** Tells the three ways the function is invoked apart: an SQS batch, a schedule, or one command directly. */
export function classifyEvent(event: unknown): ClassifiedEvent {
  const record = event as { Records?: Array<{ eventSource?: string }>; source?: string; 'detail-type'?: string } | null;
  if (Array.isArray(record?.Records) && record.Records.every((r) => r?.eventSource === 'aws:sqs')) {
    return { type: 'sqs', event: event as SQSEvent };
  }
  if (record?.source === 'aws.events' && record['detail-type'] === 'Scheduled Event') {
    return { type: 'scheduled', event: event as EventBridgeEvent<'Scheduled Event', unknown> };
  }
  if ((event as { action?: unknown } | null)?.action === 'check') return { type: 'check', payload: event };
  if (isRotationEvent(event)) return { type: 'rotation', event };
  return { type: 'command', payload: event };
}
