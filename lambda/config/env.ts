import * as z from 'zod';
import { InputValidationError } from '../validation/errors.ts';

const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);

/** The Lambda's environment, validated once at start-up. Unknown variables are ignored (it is an environment). */
export const workerEnvSchema = z.object({
  /** Secrets Manager secret (name or ARN) with the Atlas credentials. Absent: the Atlas CLI variables are used. */
  ATLAS_SECRET_ID: z.string().min(1).optional(),
  /** The policy JSON (see lambda/policy/schema.ts). */
  KEY_POLICY: z.string().min(2, { message: 'must be the policy JSON' }),
  /**
   * The work lane (SQS FIFO, one message group per org: one writer per org), for sweep continuations and the
   * scheduled fan-out. Absent: no continuation is enqueued, scheduled sweeps run inline.
   */
  WORK_QUEUE_URL: z.url().optional(),
  /** The urgent lane (standard queue) for whole-key revocations; the worker only consumes it. */
  URGENT_QUEUE_URL: z.url().optional(),
  /** The state table (write budget, next-due). Absent: in-memory state, with a warning (local runs only). */
  STATE_TABLE_NAME: z.string().regex(/^[A-Za-z0-9_.-]{3,255}$/, { message: 'must be a DynamoDB table name' }).optional(),
  /** How long the secret is cached across invocations. */
  SECRET_MAX_AGE_SECONDS: positiveInt(300),
  /** A sweep stops scanning this long before the Lambda's deadline, to execute and enqueue a continuation. */
  SWEEP_MARGIN_SECONDS: positiveInt(60),
  /** Speeds up the client's pacing buckets; only for tests against a time-scaled simulator. */
  ATLAS_RATE_LIMIT_TIME_SCALE: z.coerce.number().positive().default(1),
});

export type WorkerEnv = z.output<typeof workerEnvSchema>;

export function parseWorkerEnv(env: NodeJS.ProcessEnv): WorkerEnv {
  const result = workerEnvSchema.safeParse(env);
  if (!result.success) {
    const issue = result.error.issues[0];
    const name = String(issue?.path[0] ?? 'environment');
    throw new InputValidationError(name, issue?.message ?? 'is invalid');
  }
  return result.data;
}
