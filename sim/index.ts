export { EXPIRY_MARKER, generateState, WORKER_KEY_DESC } from './generate-state.ts';
export { startSimulator } from './start-simulator.ts';
export type * from './types.ts';
