import * as z from 'zod';
import { InputValidationError } from '../validation/errors.ts';
import type { RotationEvent } from './types.ts';

/**
 * Secrets Manager's rotation event. Tokens are UUIDs in practice; the API allows 32 to 64 characters. Other
 * fields (Secrets Manager adds `RotationToken`) are ignored.
 */
export const rotationEventSchema = z.looseObject({
  SecretId: z.string().min(1).max(2048),
  ClientRequestToken: z.string().regex(/^[A-Za-z0-9._~-]{32,64}$/, { message: 'must be 32 to 64 letters, digits or ._~-' }),
  Step: z.enum(['createSecret', 'setSecret', 'testSecret', 'finishSecret']),
});

/** True for anything shaped like a rotation event (the handler's classifier); `parseRotationEvent` validates it. */
export function isRotationEvent(event: unknown): boolean {
  if (typeof event !== 'object' || event === null) return false;
  const record = event as Record<string, unknown>;
  return typeof record['SecretId'] === 'string' && typeof record['ClientRequestToken'] === 'string' && typeof record['Step'] === 'string';
}

/** Validates a rotation event; throws `InputValidationError` naming the field (`event.Step`, ...). */
export function parseRotationEvent(event: unknown, source = 'event'): RotationEvent {
  const result = rotationEventSchema.safeParse(event);
  if (!result.success) throw InputValidationError.fromZod(source, result.error.issues);
  return result.data;
}
