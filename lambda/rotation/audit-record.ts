import { redact } from '../atlas/redact.ts';
import type { RotationStep, StepReport } from './types.ts';

/** The audit record of one rotation step that ended: what was created or changed, for which predecessor. */
export function rotationAuditRecord(report: StepReport): Record<string, unknown> {
  return { audit: true, kind: 'rotation', ...report };
}

/** The audit record of a step that failed or was refused; the error is redacted. */
export function rotationFailureRecord(input: {
  readonly step: RotationStep | string;
  readonly secretId: string;
  readonly token: string;
  readonly orgId?: string;
  readonly error: unknown;
  readonly durationMs: number;
}): Record<string, unknown> {
  const error = input.error instanceof Error ? input.error : new Error(String(input.error));
  return {
    audit: true,
    kind: 'rotation',
    step: input.step,
    secretId: input.secretId,
    token: input.token,
    ...(input.orgId === undefined ? {} : { orgId: input.orgId }),
    outcome: 'failed',
    error: { name: error.name, message: redact(error.message) },
    durationMs: input.durationMs,
  };
}
