import type { AtlasClient, Flavor } from '../atlas/types.ts';
import type { ManagedOrg } from '../policy/schema.ts';
import type { AtlasSession } from '../worker/atlas-session.ts';
import { RotationRefusedError } from './errors.ts';

/** Where the rotated secret's credential works: an Atlas or Ops Manager origin. */
export interface SecretLocation {
  readonly baseUrl: string;
  readonly flavor: Flavor;
}

/**
 * The worker's own (Org Owner) access to an org, through which a rotation reads the current key and creates its
 * successor. `operation` may run twice (after a 401 the credentials are re-read once): it must be safe to repeat.
 */
export interface AdminAccess {
  run<T>(orgId: string, location: SecretLocation, operation: (client: AtlasClient) => Promise<T>): Promise<T>;
}

/**
 * Admin access through the worker's session: the org's policy entry picks its credentials and origin. A secret
 * whose credential works at another origin or flavour than the worker's for that org is refused (the keys of
 * one Atlas cannot be made by the credentials of another).
 */
export function sessionAdminAccess(session: AtlasSession, orgs: readonly ManagedOrg[]): AdminAccess {
  return {
    run(orgId, location, operation) {
      const org = orgs.find((candidate) => candidate.orgId === orgId);
      return session.run(org, (client) => {
        if (client.baseUrl !== location.baseUrl || client.flavor !== location.flavor) {
          throw new RotationRefusedError(
            `the secret's credential works at ${location.baseUrl} (${location.flavor}) but the worker's credentials for org ${orgId} ` +
              `reach ${client.baseUrl} (${client.flavor}); give the org that baseUrl and flavor in KEY_POLICY, or rotate it with credentials of that Atlas`,
          );
        }
        return operation(client);
      });
    },
  };
}
