import { parseDate, parseOrgId, parseReserveRequest } from './inputs.ts';
import { budgetSortKey, orgPartitionKey } from './item-keys.ts';
import type { Reservation, ReserveRequest, WriteBudget } from './types.ts';

/**
 * The write budget in this process's memory: the check and the increment happen in one synchronous step, so
 * concurrent callers in this process never overshoot. Not shared with other processes; lost on exit.
 */
export function createMemoryWriteBudget(): WriteBudget {
  const used = new Map<string, number>();
  const slot = (orgId: string, at: Date) => `${orgPartitionKey(orgId)}|${budgetSortKey(at)}`;

  return {
    async reserve(request: ReserveRequest): Promise<Reservation> {
      const { orgId, at, limit, mandatory } = parseReserveRequest(request);
      const key = slot(orgId, at);
      const current = used.get(key) ?? 0;
      if (mandatory !== true && current >= limit) return { granted: false, used: current, limit };
      used.set(key, current + 1);
      return { granted: true, used: current + 1, limit };
    },

    async usage(orgId: string, at: Date): Promise<number> {
      return used.get(slot(parseOrgId(orgId, 'usage'), parseDate(at, 'usage'))) ?? 0;
    },
  };
}
