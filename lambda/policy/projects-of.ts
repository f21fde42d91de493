import type { ApiKey } from '../atlas/types.ts';

/** Distinct project ids of the key's roles, in role order. */
export function projectsOf(key: ApiKey): string[] {
  const roles = Array.isArray(key.roles) ? key.roles : [];
  const groupIds = roles.map((role) => role?.groupId).filter((id): id is string => typeof id === 'string' && id !== '');
  return [...new Set(groupIds)];
}
