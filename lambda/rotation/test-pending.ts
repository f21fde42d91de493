import { AtlasApiError } from '../atlas/errors.ts';
import type { Credentials } from '../atlas/types.ts';
import { RotationStateError } from './errors.ts';
import type { StepContext } from './step-context.ts';

/** Access-list refusals: Atlas checks them after the credential, so they prove the credential is good. */
const ACCESS_LIST_CODES: ReadonlySet<string> = new Set(['IP_ADDRESS_NOT_ON_ACCESS_LIST', 'ORG_REQUIRES_ACCESS_LIST']);

/**
 * testSecret: authenticates with the pending credential (Digest or OAuth, from this worker's egress) and reads the
 * org. A 403 for the access list still proves the credential: Atlas answers it only after authenticating (the
 * successor's access list is its predecessor's, which need not include the worker's egress).
 */
export async function testPendingCredential(context: StepContext, credentials: Credentials): Promise<string> {
  const client = context.connect({ credentials, baseUrl: context.location.baseUrl, flavor: context.location.flavor, source: 'AWSPENDING' });
  try {
    const org = await client.getOrg(context.target.orgId, context.call);
    return `the pending credential authenticated and read org ${org.id}`;
  } catch (error) {
    if (error instanceof AtlasApiError && error.status === 403 && error.errorCode !== undefined && ACCESS_LIST_CODES.has(error.errorCode)) {
      return `the pending credential authenticated (Atlas then answered ${error.errorCode}: this worker's egress is not on its access list)`;
    }
    if (error instanceof AtlasApiError && (error.status === 401 || error.kind === 'auth')) {
      throw new RotationStateError(`Atlas refused the pending credential of ${context.event.SecretId}: ${error.message}`, { cause: error });
    }
    throw error;
  } finally {
    await client.close();
  }
}
