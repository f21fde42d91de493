import { ACCEPT, PATH_PREFIX } from '../atlas/constants.ts';
import type { CallOptions } from '../atlas/types.ts';
import type { ResolvedCredentials } from '../credentials/types.ts';
import type { ManagedOrg } from '../policy/schema.ts';
import { InputValidationError } from '../validation/errors.ts';
import { describeError } from '../worker/describe-error.ts';
import { checkAccessList } from './check-access-list.ts';
import { checkApi } from './check-api.ts';
import { checkBaseUrl } from './check-base-url.ts';
import { checkOrgAccess } from './check-org-access.ts';
import { fail } from './check-result.ts';
import { checkRoles } from './check-roles.ts';
import { checkState } from './check-state.ts';
import { CHECK_NAMES } from './constants.ts';
import { describeSource } from './describe-source.ts';
import type { OrgContext } from './org-context.ts';
import { probeApi } from './probe-api.ts';
import type { CheckDeps, CheckReport, CheckResult } from './types.ts';

/**
 * Verifies, org by org, what the worker needs before it can run unattended: a safe base URL that answers like
 * Atlas / Ops Manager, credentials that authenticate, an org that exists, the roles the policy needs, the
 * worker's address on its key's access list; then the state table. A check that cannot run because an earlier
 * one failed is left out (fix the failure, run again); nothing is ever written, and no credential is sent to a
 * URL that failed the base-URL or API check.
 */
export async function runCheck(deps: CheckDeps): Promise<CheckReport> {
  const now = deps.now ?? (() => new Date());
  const results: CheckResult[] = [];
  for (const [index, org] of deps.policy.orgs.entries()) results.push(...(await checkOrg(org, index, deps, now)));
  results.push(await checkState(deps.state, deps.expectDurableState ?? false));
  const counts = { pass: 0, fail: 0, warn: 0 };
  for (const result of results) counts[result.status] += 1;
  return { ok: counts.fail === 0, checkedAt: now().toISOString(), counts, checks: results };
}

async function checkOrg(org: ManagedOrg, index: number, deps: CheckDeps, now: () => Date): Promise<CheckResult[]> {
  const { orgId } = org;
  const policySource = deps.policySource ?? 'the policy';
  const results: CheckResult[] = [];
  let resolved: ResolvedCredentials | undefined;
  let credentialError: unknown;
  try {
    resolved = await deps.credentialsFor(org);
  } catch (error) {
    credentialError = error;
  }

  const flavor = org.flavor ?? resolved?.flavor ?? 'atlas';
  const urlText = org.baseUrl ?? resolved?.baseUrl;
  if (urlText !== undefined) {
    const where = org.baseUrl !== undefined ? `orgs[${index}].baseUrl in ${policySource}` : `the base URL of ${describeSource(resolved?.source ?? 'env')}`;
    const verdict = checkBaseUrl(urlText, flavor, where, orgId);
    results.push(verdict.result);
    if (verdict.origin === undefined) return results;
    const signal = signalFor(deps.deadline);
    const answer = await (deps.probe ?? probeApi)({
      url: `${verdict.origin}${PATH_PREFIX[flavor]}/orgs/${orgId}`,
      accept: ACCEPT[flavor],
      ...(signal === undefined ? {} : { signal }),
    });
    const api = checkApi(answer, verdict.origin, flavor, orgId);
    results.push(api);
    if (api.status === 'fail') return results;
    if (resolved !== undefined) return [...results, ...(await checkWithCredentials(org, verdict.origin, resolved, deps, policySource, now))];
  }
  results.push(credentialsUnreadable(org, credentialError));
  return results;
}

async function checkWithCredentials(
  org: ManagedOrg,
  origin: string,
  resolved: ResolvedCredentials,
  deps: CheckDeps,
  policySource: string,
  now: () => Date,
): Promise<CheckResult[]> {
  const flavor = org.flavor ?? resolved.flavor;
  const client = deps.createClient({ baseUrl: origin, flavor, credentials: resolved.credentials });
  const call: CallOptions = deps.deadline === undefined ? {} : { deadline: deps.deadline };
  const ctx: OrgContext = {
    orgId: org.orgId,
    client,
    resolved,
    call,
    now: now(),
    policy: deps.policy,
    policySource,
    egressIp: deps.egressIp,
  };
  try {
    const access = await checkOrgAccess(ctx);
    if (!access.readable) return [...access.results];
    const roles = await checkRoles(ctx);
    // A refused address met while listing keys is already the access-list verdict.
    if (roles.results.some((result) => result.name === CHECK_NAMES.accessList)) return [...access.results, ...roles.results];
    const accessList = await checkAccessList({ ...ctx, now: now() }, roles.ownKey);
    return [...access.results, ...roles.results, ...accessList];
  } finally {
    await client.close();
  }
}

/** The credentials could not be read at all (no secret, a secret of the wrong shape, no permission). */
function credentialsUnreadable(org: ManagedOrg, error: unknown): CheckResult {
  const secretId = (org as { secretId?: unknown }).secretId;
  const where =
    typeof secretId === 'string' ? `secret ${secretId} (orgs[].secretId)` : 'the worker’s secret (ATLAS_SECRET_ID or --secret-id) or the MONGODB_ATLAS_* variables';
  const detail = error instanceof InputValidationError ? error.message : describeError(error ?? 'no credentials').summary;
  return fail(
    CHECK_NAMES.credentials,
    `credentials could not be read: ${detail}`,
    `Store {"publicKey","privateKey"} (or {"clientId","clientSecret"}, or MongoDB's profile shape {"PublicKey","PrivateKey"}) in ${where}, readable by the function (secretsmanager:GetSecretValue).`,
    org.orgId,
  );
}

function signalFor(deadline: number | undefined): AbortSignal | undefined {
  if (deadline === undefined) return undefined;
  return AbortSignal.timeout(Math.max(1, Math.floor(deadline - Date.now())));
}
