export { createDynamoState, type DynamoStateOptions } from './dynamo-state.ts';
export { StateError, type StateErrorOptions, type StateOperation } from './errors.ts';
export { utcDay } from './item-keys.ts';
export { createMemoryState } from './memory-state.ts';
export { IN_MEMORY_STATE_WARNING, type StateFromEnvOptions, stateFromEnv } from './state-from-env.ts';
export type {
  BatchRetrySettings,
  KeyState,
  KeyStateStore,
  Reservation,
  ReserveRequest,
  StateBackend,
  WriteBudget,
} from './types.ts';
