import { AtlasApiError } from '../atlas/index.ts';
import type { ApiKey, RoleAssignment } from '../atlas/types.ts';
import { describeError } from '../worker/describe-error.ts';
import { ACCESS_LIST_CODES, accessDenied } from './access-denied.ts';
import { fail, pass, warn } from './check-result.ts';
import { ACCESS_MANAGER, CHECK_NAMES, GROUP_OWNER, NAMED_IDS_LIMIT, ORG_OWNER } from './constants.ts';
import { findOwnKey } from './find-own-key.ts';
import { callerName, type OrgContext } from './org-context.ts';
import type { CheckResult } from './types.ts';
import { writesPossible } from './writes-possible.ts';

export interface RolesOutcome {
  readonly results: readonly CheckResult[];
  /** The worker's own API key, when the credentials are one and it was found (the access-list check reads it). */
  readonly ownKey?: ApiKey;
}

/**
 * The roles the policy needs: Organization Owner to delete org keys (and prune other keys' access lists),
 * Project Owner on a project (or Organization Owner) to unassign a key from it. An API key's own roles are read
 * from the org's key listing; a service account's only when the client can read it.
 */
export async function checkRoles(ctx: OrgContext): Promise<RolesOutcome> {
  const { credentials } = ctx.resolved;
  if (credentials.kind === 'oauth') {
    if (ctx.client.getServiceAccount === undefined) return { results: unverified(ctx, 'a service account’s own roles cannot be read by this client') };
    try {
      const account = await ctx.client.getServiceAccount(ctx.orgId, credentials.clientId, ctx.call);
      return { results: await judgeRoles(ctx, account.roles.map((roleName) => ({ orgId: ctx.orgId, roleName }))) };
    } catch (error) {
      return { results: unverified(ctx, `its roles could not be read (${describeError(error).summary})`) };
    }
  }
  let ownKey: ApiKey | undefined;
  try {
    ownKey = await findOwnKey(ctx, credentials.publicKey);
  } catch (error) {
    if (error instanceof AtlasApiError && error.status === 403 && error.errorCode !== undefined && ACCESS_LIST_CODES.has(error.errorCode)) {
      return { results: [accessDenied(error.errorCode, error.detail, ctx)] };
    }
    const who = callerName(ctx.resolved);
    return {
      results: [
        fail(
          CHECK_NAMES.roleDelete,
          `missing role: ${who} cannot list org ${ctx.orgId}'s API keys, which every sweep does (${describeError(error).summary})`,
          `Give ${who} the Organization Owner role in org ${ctx.orgId} (${ACCESS_MANAGER} → edit its Organization Permissions).`,
          ctx.orgId,
        ),
      ],
    };
  }
  if (ownKey === undefined) return { results: unverified(ctx, `it is not in org ${ctx.orgId}'s key listing (a key of another org?)`) };
  return { ownKey, results: await judgeRoles(ctx, ownKey.roles) };
}

async function judgeRoles(ctx: OrgContext, roles: readonly RoleAssignment[]): Promise<CheckResult[]> {
  const { orgId } = ctx;
  const who = callerName(ctx.resolved);
  const orgRoles = roles.filter((role) => role.groupId === undefined && (role.orgId === undefined || role.orgId === orgId));
  const isOwner = orgRoles.some((role) => role.roleName === ORG_OWNER);
  const held = orgRoles.length === 0 ? 'no org role' : [...new Set(orgRoles.map((role) => role.roleName))].join(', ');
  const lacking = missing(ctx);
  const grantOwner = `Give ${who} the Organization Owner role in org ${orgId} (${ACCESS_MANAGER} → edit its Organization Permissions)`;

  const results: CheckResult[] = [];
  if (isOwner) {
    results.push(pass(CHECK_NAMES.roleDelete, `${who} is Organization Owner of org ${orgId}: it may delete org API keys`, orgId));
    results.push(pass(CHECK_NAMES.roleUnassign, 'Organization Owner may unassign keys from every project of the org', orgId));
    return results;
  }
  results.push(
    lacking(
      CHECK_NAMES.roleDelete,
      `missing role: ${who} is not Organization Owner of org ${orgId} (it has ${held}); deleting org API keys and pruning other keys' access lists need it`,
      `${grantOwner}.`,
    ),
  );
  try {
    const ownerOf = new Set(roles.filter((role) => role.groupId !== undefined && role.roleName === GROUP_OWNER).map((role) => role.groupId));
    const without: string[] = [];
    let projects = 0;
    for await (const page of ctx.client.listOrgProjects(orgId, ctx.call)) {
      for (const project of page.results) {
        projects += 1;
        if (!ownerOf.has(project.id)) without.push(project.id);
      }
    }
    if (without.length === 0) {
      results.push(pass(CHECK_NAMES.roleUnassign, `${who} is Project Owner of all ${projects} project(s) of the org: it may unassign keys from them`, orgId));
    } else {
      const named = without.slice(0, NAMED_IDS_LIMIT).join(', ') + (without.length > NAMED_IDS_LIMIT ? ', …' : '');
      results.push(
        lacking(
          CHECK_NAMES.roleUnassign,
          `missing role: ${who} is neither Organization Owner nor Project Owner of ${without.length} of ${projects} project(s) (${named}); unassigning a key from them needs one`,
          `${grantOwner}, or Project Owner on each of those projects.`,
        ),
      );
    }
  } catch (error) {
    results.push(
      lacking(
        CHECK_NAMES.roleUnassign,
        `missing role: ${who} is not Organization Owner and the org's projects could not be listed (${describeError(error).summary})`,
        `${grantOwner}.`,
      ),
    );
  }
  return results;
}

/** A missing role fails a worker that can write; a worker that cannot (dry run, commands not executed) is warned. */
function missing(ctx: OrgContext) {
  if (writesPossible(ctx.policy)) return (name: typeof CHECK_NAMES.roleDelete | typeof CHECK_NAMES.roleUnassign, detail: string, fix: string) => fail(name, detail, fix, ctx.orgId);
  return (name: typeof CHECK_NAMES.roleDelete | typeof CHECK_NAMES.roleUnassign, detail: string, fix: string) =>
    warn(name, `${detail} (not needed while dryRun is true and commands is not "execute"; needed to go live)`, fix, ctx.orgId);
}

function unverified(ctx: OrgContext, why: string): CheckResult[] {
  const who = callerName(ctx.resolved);
  const fix = `Make sure ${who} is Organization Owner of org ${ctx.orgId} (${ACCESS_MANAGER}); without it deletes fail with 403.`;
  return [
    warn(CHECK_NAMES.roleDelete, `roles not verified: ${why}; deleting org API keys needs Organization Owner`, fix, ctx.orgId),
    warn(CHECK_NAMES.roleUnassign, `roles not verified: ${why}; unassigning needs Organization Owner or Project Owner`, fix, ctx.orgId),
  ];
}
