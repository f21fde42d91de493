import { METRIC_NAMES } from '../lambda/telemetry/metric-names.ts';

/**
 * Metric names of the lead's contract that `lambda/telemetry/metric-names.ts` may not list yet (the rotation
 * runtime adds them). One spelling: the shared constant when it exists, the contract's name otherwise.
 */
const names = METRIC_NAMES as Readonly<Record<string, string>>;

export const ROTATIONS_FAILED = names['rotationsFailed'] ?? 'RotationsFailed';
export const ROTATIONS_SUCCEEDED = names['rotationsSucceeded'] ?? 'RotationsSucceeded';
