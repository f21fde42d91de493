import * as z from 'zod';
import { InputValidationError } from '../validation/errors.ts';
import { DEFAULT_GRACE_DAYS, DEFAULT_SECRET_EXPIRES_AFTER_HOURS } from './constants.ts';
import { RotationRefusedError } from './errors.ts';
import type { RotationTarget } from './types.ts';

const SECRET_ARN = /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+$/;

const entrySchema = z.strictObject({
  /** The secret's complete ARN, as Secrets Manager names it in rotation events. */
  secretId: z.string().regex(SECRET_ARN, { message: 'must be a complete Secrets Manager secret ARN' }),
  orgId: z.string().regex(/^[a-f0-9]{24}$/, { message: 'must be 24 lowercase hexadecimal digits' }),
  graceDays: z.number().int().min(1).max(365).default(DEFAULT_GRACE_DAYS),
  /** Lifetime of a new service-account secret (Atlas: 8 hours to 365 days). */
  secretExpiresAfterHours: z.number().int().min(8).max(8760).default(DEFAULT_SECRET_EXPIRES_AFTER_HOURS),
});

/** `ROTATION_CONFIG`: `{"secrets":[{"secretId":"<ARN>","orgId":"<24 hex>","graceDays":7}]}`. */
export const rotationConfigSchema = z
  .strictObject({ secrets: z.array(entrySchema).max(100) })
  .superRefine((config, context) => {
    const seen = new Set<string>();
    for (const [at, entry] of config.secrets.entries()) {
      if (seen.has(entry.secretId)) context.addIssue({ code: 'custom', path: ['secrets', at, 'secretId'], message: 'is listed twice' });
      seen.add(entry.secretId);
    }
  });

export interface RotationConfig {
  readonly secrets: readonly RotationTarget[];
}

/**
 * Validates `ROTATION_CONFIG` (JSON text or parsed). Absent or empty text: no secret is rotatable. Throws
 * `InputValidationError` naming the variable and the field.
 */
export function parseRotationConfig(value: unknown, source = 'ROTATION_CONFIG'): RotationConfig {
  if (value === undefined || value === '') return { secrets: [] };
  let parsed = value;
  if (typeof value === 'string') {
    try {
      parsed = JSON.parse(value);
    } catch {
      throw new InputValidationError(source, 'must be JSON {"secrets":[{"secretId","orgId","graceDays"}]}');
    }
  }
  const result = rotationConfigSchema.safeParse(parsed);
  if (!result.success) throw InputValidationError.fromZod(source, result.error.issues);
  return result.data;
}

/** The configured target for a rotation event's `SecretId`; refused (nothing done) when it is not configured. */
export function findRotationTarget(config: RotationConfig, secretId: string): RotationTarget {
  const target = config.secrets.find((candidate) => candidate.secretId === secretId);
  if (target === undefined) {
    const shown = JSON.stringify(secretId.length > 256 ? `${secretId.slice(0, 256)}…` : secretId);
    throw new RotationRefusedError(
      `secret ${shown} is not configured for rotation by this worker (ROTATION_CONFIG lists ${config.secrets.length}); refused, nothing changed`,
    );
  }
  return target;
}
