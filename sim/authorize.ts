import type { Caller } from './server-types.ts';
import type { SimRole } from './types.ts';

/** The caller's roles: an API key's own, or a service account's org roles on its org. */
export function callerRoles(caller: Caller): readonly SimRole[] {
  if (caller.kind === 'apiKey') return caller.key.roles;
  return caller.account.roles.map((roleName) => ({ orgId: caller.account.orgId, roleName }));
}

/** True when the caller holds one of `roleNames` (any ORG_* role when omitted) on the org. */
export function hasOrgRole(caller: Caller, orgId: string, roleNames?: readonly string[]): boolean {
  return callerRoles(caller).some(
    (role) =>
      role.groupId === undefined &&
      (role.orgId ?? (caller.kind === 'apiKey' ? caller.key.orgId : undefined)) === orgId &&
      (roleNames === undefined ? role.roleName.startsWith('ORG_') : roleNames.includes(role.roleName)),
  );
}

/** True when the caller holds one of `roleNames` (any role when omitted) on the project. */
export function hasProjectRole(caller: Caller, groupId: string, roleNames?: readonly string[]): boolean {
  return callerRoles(caller).some(
    (role) => role.groupId === groupId && (roleNames === undefined || roleNames.includes(role.roleName)),
  );
}
