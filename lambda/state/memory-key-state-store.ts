import { parseIds, parseKeyStates, parseOrgId } from './inputs.ts';
import type { KeyState, KeyStateStore } from './types.ts';

/** Key states in this process's memory, per org; copies go in and out so callers cannot alias stored records. */
export function createMemoryKeyStateStore(): KeyStateStore {
  const orgs = new Map<string, Map<string, KeyState>>();

  return {
    async get(orgId: string, apiUserIds: readonly string[]): Promise<Map<string, KeyState>> {
      const stored = orgs.get(parseOrgId(orgId, 'get-key-states'));
      const found = new Map<string, KeyState>();
      for (const id of parseIds(apiUserIds, 'get-key-states')) {
        const state = stored?.get(id);
        if (state !== undefined) found.set(id, { ...state });
      }
      return found;
    },

    async put(orgId: string, states: readonly KeyState[]): Promise<void> {
      const org = parseOrgId(orgId, 'put-key-states');
      const valid = parseKeyStates(states, 'put-key-states');
      if (valid.length === 0) return;
      let stored = orgs.get(org);
      if (stored === undefined) {
        stored = new Map();
        orgs.set(org, stored);
      }
      for (const state of valid) stored.set(state.apiUserId, { ...state });
    },

    async delete(orgId: string, apiUserIds: readonly string[]): Promise<void> {
      const stored = orgs.get(parseOrgId(orgId, 'delete-key-states'));
      for (const id of parseIds(apiUserIds, 'delete-key-states')) stored?.delete(id);
    },
  };
}
