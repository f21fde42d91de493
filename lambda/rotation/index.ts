export { type AdminAccess, type SecretLocation, sessionAdminAccess } from './admin-access.ts';
export { rotationAuditRecord, rotationFailureRecord } from './audit-record.ts';
export { DEFAULT_GRACE_DAYS, DEFAULT_SECRET_EXPIRES_AFTER_HOURS, ROTATION_METRICS } from './constants.ts';
export { createRotationHandler, type RotationHandlerOptions } from './create-rotation-handler.ts';
export { RotationError, RotationRefusedError, RotationStateError, ServiceAccountSecretLimitError } from './errors.ts';
export { isRotationEvent, parseRotationEvent } from './parse-rotation-event.ts';
export {
  planServiceAccountSecretRetirement,
  type ServiceAccountRetirementInput,
  type ServiceAccountRetirementPlan,
  type ServiceAccountSecretDeletion,
  type ServiceAccountSecretInfo,
} from './plan-service-account-secret-retirement.ts';
export { planRotation, type RotationPlan } from './plan-rotation.ts';
export { findRotationTarget, parseRotationConfig, type RotationConfig } from './rotation-config.ts';
export { type RotationDeps, runRotationStep } from './run-rotation-step.ts';
export type * from './types.ts';
