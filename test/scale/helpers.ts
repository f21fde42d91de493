import type { Action } from '../../lambda/policy/types.ts';
import type { RequestLogEntry, SimApiKey, SimState } from '../../sim/types.ts';

/** One line per key of what the org should hold: its id, access-list entries and project assignments. */
export type OrgView = Map<string, { entries: string[]; groups: string[] }>;

export function viewOf(state: SimState, orgId: string): OrgView {
  const view: OrgView = new Map();
  for (const key of state.apiKeys.filter((k: SimApiKey) => k.orgId === orgId)) {
    view.set(key.id, {
      entries: key.accessList.map((entry) => entry.cidrBlock).sort(),
      groups: key.roles.flatMap((role) => (role.groupId === undefined ? [] : [role.groupId])).sort(),
    });
  }
  return view;
}

/** What `before` becomes once every action of a plan is done. */
export function applyPlan(before: OrgView, actions: readonly Action[]): OrgView {
  const after: OrgView = new Map([...before].map(([id, key]) => [id, { entries: [...key.entries], groups: [...key.groups] }]));
  for (const action of actions) {
    const key = after.get(action.apiUserId);
    if (key === undefined) continue;
    if (action.kind === 'deleteOrgKey') after.delete(action.apiUserId);
    else if (action.kind === 'pruneAccessListEntry') key.entries = key.entries.filter((entry) => entry !== action.entry);
    else key.groups = key.groups.filter((group) => group !== action.groupId);
  }
  return after;
}

/** Successful access-list reads per key id, in `log`. */
export function accessListReads(log: readonly RequestLogEntry[]): Map<string, number> {
  const reads = new Map<string, number>();
  for (const entry of log) {
    const id = entry.method === 'GET' && entry.status === 200 ? /\/apiKeys\/([a-f0-9]{24})\/accessList(?:\?|$)/.exec(entry.url)?.[1] : undefined;
    if (id !== undefined) reads.set(id, (reads.get(id) ?? 0) + 1);
  }
  return reads;
}
