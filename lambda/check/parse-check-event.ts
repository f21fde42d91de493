import * as z from 'zod';
import { parseAccessListEntry } from '../validation/access-list-entry.ts';
import { InputValidationError } from '../validation/errors.ts';

const checkEventSchema = z.strictObject({
  action: z.literal('check'),
  /** The egress IP the operator expects (the stack's EgressIps output); one address. */
  egressIp: z
    .string()
    .max(49)
    .superRefine((value, ctx) => {
      try {
        const address = parseAccessListEntry(value);
        if (address.prefix !== (address.family === 4 ? 32 : 128)) ctx.addIssue({ code: 'custom', message: 'must be one address, not a CIDR block' });
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: (error as Error).message.replace(/^entry: /, '') });
      }
    })
    .optional(),
});

export type CheckEvent = z.output<typeof checkEventSchema>;

/** A direct invocation `{"action":"check"}` (optionally `"egressIp"`); throws InputValidationError naming the field. */
export function parseCheckEvent(payload: unknown): CheckEvent {
  const result = checkEventSchema.safeParse(payload);
  if (!result.success) throw InputValidationError.fromZod('event', result.error.issues);
  return result.data;
}
