import { createMemoryKeyStateStore } from './memory-key-state-store.ts';
import { createMemoryWriteBudget } from './memory-write-budget.ts';
import type { StateBackend } from './types.ts';

/** State in this process's memory: for the CLI and local runs. The budget holds only within the process. */
export function createMemoryState(): StateBackend {
  return {
    budget: createMemoryWriteBudget(),
    keys: createMemoryKeyStateStore(),
    describe: () => 'in-memory state (this process only: the write budget is neither shared nor durable)',
    ping: async () => {},
  };
}
