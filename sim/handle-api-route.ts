import { InputValidationError } from '../lambda/validation/errors.ts';
import { apiError } from './api-error.ts';
import { entryForAddress } from './authenticate.ts';
import { hasOrgRole, hasProjectRole } from './authorize.ts';
import { type IpRange, parseIpRange, rangeContains, tryParseIpRange } from './ip-range.ts';
import { WRITE_HANDLERS } from './handle-write-route.ts';
import type { RouteName } from './match-route.ts';
import { pageBody, readPageRequest } from './paginate.ts';
import type { Caller, Flavor, SimResponse } from './server-types.ts';
import type { StateIndex } from './state-index.ts';
import type { ListingOrder, SimApiKey, SimOrg, SimProject, SimState } from './types.ts';
import { renderAccessListEntry, renderApiKey, renderOrg, renderProject } from './views.ts';

export interface ApiContext {
  readonly flavor: Flavor;
  readonly state: SimState;
  readonly index: StateIndex;
  readonly caller: Caller;
  readonly params: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
  /** Origin plus API prefix, for `links`. */
  readonly base: string;
  /** Origin plus request path (no query), for paging links. */
  readonly selfUrl: string;
  readonly clientAddress: string;
  /** Order of key listings. */
  readonly listingOrder: ListingOrder;
  /** The request body as text (write endpoints). */
  readonly body?: string;
  /** The simulator's clock, for timestamps of created things. */
  readonly now?: () => Date;
}

const ID = /^[a-f0-9]{24}$/;
const OWNER = ['ORG_OWNER'] as const;

/** Runs one matched route for an authenticated caller. Ids are validated, then existence, then roles. */
export function handleApiRoute(name: RouteName, ctx: ApiContext): SimResponse {
  for (const field of ['orgId', 'groupId', 'apiUserId'] as const) {
    const value = ctx.params[field];
    if (value !== undefined && !ID.test(value)) {
      return apiError(400, 'VALIDATION_ERROR', `Invalid ${field}: must be 24 hexadecimal digits, given ${JSON.stringify(value)}.`);
    }
  }
  return HANDLERS[name](ctx);
}

type Handler = (ctx: ApiContext) => SimResponse;

const HANDLERS: Record<RouteName, Handler> = {
  ...WRITE_HANDLERS,
  listProjects(ctx) {
    const visible = ctx.state.projects.filter(
      (project) => hasOrgRole(ctx.caller, project.orgId) || hasProjectRole(ctx.caller, project.id),
    );
    return paged(ctx, visible, (project) => renderProject(project, ctx.base));
  },

  getProject(ctx) {
    const project = findProject(ctx);
    if (!('id' in project)) return project;
    if (!hasOrgRole(ctx.caller, project.orgId) && !hasProjectRole(ctx.caller, project.id)) return forbidden(ctx);
    return { status: 200, body: renderProject(project, ctx.base) };
  },

  listProjectKeys(ctx) {
    const project = findProject(ctx);
    if (!('id' in project)) return project;
    if (!hasOrgRole(ctx.caller, project.orgId) && !hasProjectRole(ctx.caller, project.id)) return forbidden(ctx);
    const keys = ctx.index
      .keysOfOrg(project.orgId, ctx.listingOrder)
      .filter((key) => key.roles.some((role) => role.groupId === project.id));
    return paged(ctx, keys, (key) => renderApiKey(key, ctx.base));
  },

  unassignKey(ctx) {
    const project = findProject(ctx);
    if (!('id' in project)) return project;
    if (!hasOrgRole(ctx.caller, project.orgId, OWNER) && !hasProjectRole(ctx.caller, project.id, ['GROUP_OWNER'])) {
      return forbidden(ctx);
    }
    const id = ctx.params['apiUserId'] ?? '';
    const key = ctx.index.keyById(id);
    if (key === undefined || !key.roles.some((role) => role.groupId === project.id)) {
      return apiError(404, 'RESOURCE_NOT_FOUND', `Cannot find API key ${id} in project ${project.id}.`, undefined, [id, project.id]);
    }
    key.roles = key.roles.filter((role) => role.groupId !== project.id);
    // Ops Manager documents 200 with no body here; Atlas answers 204.
    return { status: ctx.flavor === 'atlas' ? 204 : 200 };
  },

  getOrg(ctx) {
    const org = findOrg(ctx, false);
    if (!('id' in org)) return org;
    return { status: 200, body: renderOrg(org, ctx.base) };
  },

  listOrgProjects(ctx) {
    const org = findOrg(ctx, false);
    if (!('id' in org)) return org;
    const projects = ctx.state.projects.filter((project) => project.orgId === org.id);
    return paged(ctx, projects, (project) => renderProject(project, ctx.base));
  },

  listOrgKeys(ctx) {
    const org = findOrg(ctx, false);
    if (!('id' in org)) return org;
    return paged(ctx, ctx.index.keysOfOrg(org.id, ctx.listingOrder), (key) => renderApiKey(key, ctx.base));
  },

  getKey(ctx) {
    const org = findOrg(ctx, false);
    if (!('id' in org)) return org;
    const key = findKey(ctx, org, 400);
    if (!('id' in key)) return key;
    return { status: 200, body: renderApiKey(key, ctx.base) };
  },

  deleteKey(ctx) {
    const org = findOrg(ctx, true);
    if (!('id' in org)) return org;
    const key = findKey(ctx, org, 400);
    if (!('id' in key)) return key;
    ctx.index.removeKey(key);
    return { status: 204 };
  },

  listAccessList(ctx) {
    const found = findKeyForAccessList(ctx, false);
    if (!('id' in found)) return found;
    return paged(ctx, found.accessList, (entry) => renderAccessListEntry(found, entry, ctx.base));
  },

  getAccessListEntry(ctx) {
    const key = findKeyForAccessList(ctx, false);
    if (!('id' in key)) return key;
    const target = readAddress(ctx);
    if (!('value' in target)) return target;
    const entry = key.accessList.find((candidate) => sameRange(candidate.cidrBlock, target));
    if (entry === undefined) return entryNotFound(target, key);
    return { status: 200, body: renderAccessListEntry(key, entry, ctx.base) };
  },

  deleteAccessListEntry(ctx) {
    const key = findKeyForAccessList(ctx, true);
    if (!('id' in key)) return key;
    const target = readAddress(ctx);
    if (!('value' in target)) return target;
    const at = key.accessList.findIndex((candidate) => sameRange(candidate.cidrBlock, target));
    if (at < 0) return entryNotFound(target, key);
    if (ctx.caller.kind === 'apiKey' && ctx.caller.key === key && callerNeedsEntry(ctx, target)) {
      return apiError(
        400,
        'CANNOT_REMOVE_CALLER_FROM_ACCESS_LIST',
        `Cannot remove the caller's IP address ${ctx.clientAddress} from the access list of the requesting API key.`,
      );
    }
    key.accessList.splice(at, 1);
    return { status: 204 };
  },
};

function paged<T>(ctx: ApiContext, items: readonly T[], render: (item: T) => unknown): SimResponse {
  const page = readPageRequest(ctx.query);
  if ('status' in page) return page;
  return { status: 200, body: pageBody(items, page, ctx.selfUrl, render) };
}

function forbidden(ctx: ApiContext, errorCode = 'ACCESS_FORBIDDEN'): SimResponse {
  return apiError(403, errorCode, `The ${ctx.caller.kind === 'apiKey' ? 'API key' : 'service account'} lacks the role this resource requires.`);
}

/** The path's org, after checking the caller's role on it (any org role, or Org Owner). */
function findOrg(ctx: ApiContext, ownerOnly: boolean): SimOrg | SimResponse {
  const id = ctx.params['orgId'] ?? '';
  const org = ctx.index.org(id);
  if (org === undefined) return apiError(404, 'RESOURCE_NOT_FOUND', `Cannot find organization ${id}.`, undefined, [id]);
  if (ownerOnly && !hasOrgRole(ctx.caller, org.id, OWNER)) return forbidden(ctx, 'NOT_ORG_OWNER');
  if (!ownerOnly && !hasOrgRole(ctx.caller, org.id)) return forbidden(ctx);
  return org;
}

/** An unknown project is `404 GROUP_NOT_FOUND`, as live Atlas answers (not `RESOURCE_NOT_FOUND`). */
function findProject(ctx: ApiContext): SimProject | SimResponse {
  const id = ctx.params['groupId'] ?? '';
  const project = ctx.index.project(id);
  return project ?? apiError(404, 'GROUP_NOT_FOUND', `No group with ID ${id} exists.`, undefined, [id]);
}

/**
 * The path's key within the org: unknown is `400 API_KEY_NOT_FOUND` (the code Atlas documents, with the status
 * it documents) for the key itself, `404 RESOURCE_NOT_FOUND` for what lies under it (its access list).
 */
function findKey(ctx: ApiContext, org: SimOrg, missingStatus: 400 | 404): SimApiKey | SimResponse {
  const id = ctx.params['apiUserId'] ?? '';
  const key = ctx.index.keyById(id);
  if (key !== undefined && key.orgId === org.id) return key;
  return missingStatus === 400
    ? apiError(400, 'API_KEY_NOT_FOUND', `No API key with ID ${id} exists.`, undefined, [id])
    : apiError(404, 'RESOURCE_NOT_FOUND', `Cannot find API key ${id}.`, undefined, [id]);
}

/** Atlas's (legacy-named) code and detail for an address that is not on the key's access list. */
function entryNotFound(target: IpRange, key: SimApiKey): SimResponse {
  const detail = `IP address ${target.normalised} not on whitelist for API key ${key.id}.`;
  return apiError(404, 'API_KEY_WHITELIST_NOT_FOUND', detail, undefined, [target.normalised, key.id]);
}

/** The key whose access list is addressed; the key itself, or an org role (Org Owner to write), may use it. */
function findKeyForAccessList(ctx: ApiContext, write: boolean): SimApiKey | SimResponse {
  const id = ctx.params['orgId'] ?? '';
  const org = ctx.index.org(id);
  if (org === undefined) return apiError(404, 'RESOURCE_NOT_FOUND', `Cannot find organization ${id}.`, undefined, [id]);
  const key = ctx.index.keyById(ctx.params['apiUserId'] ?? '');
  const isSelf = ctx.caller.kind === 'apiKey' && key !== undefined && ctx.caller.key === key;
  if (!isSelf && !hasOrgRole(ctx.caller, org.id, write ? OWNER : undefined)) return forbidden(ctx);
  return findKey(ctx, org, 404);
}

function readAddress(ctx: ApiContext): IpRange | SimResponse {
  const text = ctx.params['ipAddress'] ?? '';
  try {
    return parseIpRange(text);
  } catch (error) {
    const detail = error instanceof InputValidationError ? error.message : 'Invalid IP address or CIDR block.';
    return apiError(400, 'INVALID_IP_ADDRESS_OR_CIDR_NOTATION', `IP address or CIDR block ${JSON.stringify(text)} is invalid: ${detail}.`);
  }
}

function sameRange(cidrBlock: string, target: IpRange): boolean {
  return (tryParseIpRange(cidrBlock)?.normalised ?? cidrBlock) === target.normalised;
}

/** True when the entry being removed is what admits the caller's own address. */
function callerNeedsEntry(ctx: ApiContext, target: IpRange): boolean {
  const client = tryParseIpRange(ctx.clientAddress);
  if (client !== undefined && rangeContains(target, client)) return true;
  const admitting = ctx.caller.kind === 'apiKey' ? entryForAddress(ctx.caller.key.accessList, ctx.clientAddress) : undefined;
  return admitting !== undefined && sameRange(admitting.cidrBlock, target);
}
