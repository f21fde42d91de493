import { AtlasApiError } from '../atlas/index.ts';
import { describeError } from '../worker/describe-error.ts';
import { ACCESS_LIST_CODES, accessDenied } from './access-denied.ts';
import { fail, pass } from './check-result.ts';
import { ACCESS_MANAGER, CHECK_NAMES } from './constants.ts';
import { callerName, credentialsHome, type OrgContext } from './org-context.ts';
import type { CheckResult } from './types.ts';

export interface OrgAccess {
  readonly results: readonly CheckResult[];
  /** The credentials work and the org is readable: the role and access-list checks can run. */
  readonly readable: boolean;
}

/**
 * `GET /orgs/{orgId}` with the worker's credentials: tells a refused key (401) from a refused address (403
 * access list), a missing role (403), a missing org (404) and an API that is not what the probe suggested.
 */
export async function checkOrgAccess(ctx: OrgContext): Promise<OrgAccess> {
  const who = callerName(ctx.resolved);
  try {
    const org = await ctx.client.getOrg(ctx.orgId, ctx.call);
    return {
      readable: true,
      results: [
        pass(CHECK_NAMES.credentials, `${who} authenticated (${ctx.resolved.credentials.kind === 'digest' ? 'HTTP Digest' : 'OAuth client credentials'})`, ctx.orgId),
        pass(CHECK_NAMES.org, `org ${JSON.stringify(org.name)} (${org.id}) exists and is readable`, ctx.orgId),
      ],
    };
  } catch (error) {
    return { readable: false, results: explainOrgFailure(error, ctx) };
  }
}

function explainOrgFailure(error: unknown, ctx: OrgContext): CheckResult[] {
  const { orgId } = ctx;
  const who = callerName(ctx.resolved);
  const home = credentialsHome(ctx.resolved);
  if (!(error instanceof AtlasApiError)) {
    return [fail(CHECK_NAMES.org, `GET /orgs/${orgId} failed: ${describeError(error).summary}`, 'Run the check again; if it persists, report it with this message.', orgId)];
  }
  const recognised = pass(CHECK_NAMES.credentials, `${who} was recognised (the API refused the request for another reason)`, orgId);
  const status = error.status;
  if (error.kind === 'auth') {
    if (status === 429) {
      return [fail(CHECK_NAMES.credentials, `the OAuth token endpoint is rate limiting (${error.errorCode ?? 429})`, 'Run the check again in a minute; the worker caches its token for an hour.', orgId)];
    }
    const fix =
      ctx.resolved.credentials.kind === 'digest'
        ? `Put the current private key of public key ${ctx.resolved.credentials.publicKey} in ${home} (a deleted key, or one of another Atlas or Ops Manager instance, is refused the same way).`
        : `Put a current client secret of service account ${ctx.resolved.credentials.clientId} in ${home} (secrets expire; a deleted service account is refused the same way).`;
    // Atlas's 401 body says UNEXPECTED_ERROR: only the token endpoint's code (invalid_client) says more.
    const code = error.errorCode === undefined || error.errorCode === 'UNEXPECTED_ERROR' ? '' : ` ${error.errorCode}`;
    return [fail(CHECK_NAMES.credentials, `wrong key or secret: ${who} was refused (${status ?? 'auth'}${code})`, fix, orgId)];
  }
  if (status === 403 && error.errorCode !== undefined && ACCESS_LIST_CODES.has(error.errorCode)) {
    return [recognised, accessDenied(error.errorCode, error.detail, ctx)];
  }
  if (status === 403) {
    return [
      recognised,
      fail(
        CHECK_NAMES.org,
        `${who} may not read org ${orgId} (403${error.errorCode ? ` ${error.errorCode}` : ''}): it holds no role in that org`,
        `Use a key of org ${orgId}, or give ${who} the Organization Owner role there (${ACCESS_MANAGER}).`,
        orgId,
      ),
    ];
  }
  if (status === 404) {
    return [
      recognised,
      fail(
        CHECK_NAMES.org,
        `org ${orgId} was not found (404${error.errorCode ? ` ${error.errorCode}` : ''})`,
        `Check orgs[].orgId in the policy against the organization's id (Atlas UI → Organization Settings), and that the base URL is the instance the org lives on.`,
        orgId,
      ),
    ];
  }
  if (status === 406 || status === 410 || error.kind === 'malformed-response') {
    return [
      fail(
        CHECK_NAMES.api,
        `GET /orgs/${orgId} with credentials: ${error.message}`,
        'Set the base URL to the API origin (https://cloud.mongodb.com for Atlas) and the flavor to match it ("ops-manager" for Ops Manager or Cloud Manager).',
        orgId,
      ),
    ];
  }
  return [
    fail(
      CHECK_NAMES.org,
      `could not read org ${orgId}: ${error.message}`,
      error.kind === 'network' || error.kind === 'timeout' || error.kind === 'deadline'
        ? 'Check the network path to the API (security group egress 443, NAT gateway, proxy) and run the check again.'
        : 'Run the check again later; if it persists, check https://status.mongodb.com or the Ops Manager server.',
      orgId,
    ),
  ];
}
