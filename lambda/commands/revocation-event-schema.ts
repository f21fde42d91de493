import * as z from 'zod';
import { requestIdSchema, revokeKeyDetailSchema } from './schema.ts';

/** The EventBridge `detail-type` that asks for a leaked key to be revoked; routed to the queue unchanged. */
export const REVOCATION_DETAIL_TYPE = 'Atlas API Key Revocation Requested';

/**
 * An EventBridge event envelope as delivered to an SQS target (see AWS's "Amazon EventBridge events" reference).
 * Strict: the envelope fields AWS documents, plus `replay-name`, which EventBridge adds to replayed events.
 */
export const revocationEventSchema = z.strictObject({
  version: z.string().max(16),
  id: requestIdSchema,
  'detail-type': z.literal(REVOCATION_DETAIL_TYPE),
  source: z.string().regex(/^[\x21-\x7E]{1,256}$/, { message: 'must be 1-256 printable ASCII characters' }),
  account: z.string().regex(/^\d{12}$/, { message: 'must be a 12-digit AWS account id' }),
  time: z.iso.datetime({ offset: true }),
  region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d{1,2}$/, { message: 'must be an AWS region name' }),
  resources: z.array(z.string().max(2048)).max(100),
  detail: revokeKeyDetailSchema,
  'replay-name': z.string().max(256).optional(),
});

export type RevocationEvent = z.output<typeof revocationEventSchema>;
