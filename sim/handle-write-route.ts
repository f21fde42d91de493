import { randomBytes, randomUUID } from 'node:crypto';
import { apiError } from './api-error.ts';
import { hasOrgRole, hasProjectRole } from './authorize.ts';
import type { ApiContext } from './handle-api-route.ts';
import { parseIpRange } from './ip-range.ts';
import { pageBody, readPageRequest } from './paginate.ts';
import type { SimResponse } from './server-types.ts';
import {
  accountSecrets,
  addSecret,
  MAX_SECRETS_PER_ACCOUNT,
  newObjectId,
  renderSecret,
  SECRET_LIMIT_ERROR_CODE,
} from './service-account-secrets.ts';
import type { SimAccessListEntry, SimApiKey, SimOrg, SimProject, SimServiceAccount } from './types.ts';
import { isoSeconds, objectIdTime, renderAccessListEntry, renderApiKey } from './views.ts';

/**
 * The write endpoints rotation needs, with the request and response shapes of MongoDB's spec: create an org key
 * (its private key in clear, once), update its description and org roles, add access-list entries, assign it to
 * a project, and a service account's secrets (read, create within the two-secret limit, delete).
 */
export type WriteRouteName =
  | 'createKey'
  | 'updateKey'
  | 'addAccessList'
  | 'assignKey'
  | 'setProjectKeyRoles'
  | 'getServiceAccount'
  | 'createServiceAccountSecret'
  | 'deleteServiceAccountSecret';

type Handler = (ctx: ApiContext) => SimResponse;

export const ORG_ROLES: ReadonlySet<string> = new Set([
  'ORG_OWNER',
  'ORG_MEMBER',
  'ORG_GROUP_CREATOR',
  'ORG_BILLING_ADMIN',
  'ORG_BILLING_READ_ONLY',
  'ORG_READ_ONLY',
]);

export const PROJECT_ROLES: ReadonlySet<string> = new Set([
  'GROUP_BACKUP_MANAGER',
  'GROUP_CLUSTER_MANAGER',
  'GROUP_DATA_ACCESS_ADMIN',
  'GROUP_DATA_ACCESS_READ_ONLY',
  'GROUP_DATA_ACCESS_READ_WRITE',
  'GROUP_DATABASE_ACCESS_ADMIN',
  'GROUP_OBSERVABILITY_VIEWER',
  'GROUP_OWNER',
  'GROUP_READ_ONLY',
  'GROUP_SEARCH_INDEX_EDITOR',
  'GROUP_STREAM_PROCESSING_OWNER',
]);

const MAX_DESC = 250;
const CLIENT_ID = /^mdb_sa_id_[a-fA-F\d]{24}$/;
const SECRET_ID = /^[a-f0-9]{24}$/;
/** Atlas bounds secret lifetimes by org settings; these are its documented extremes (8 hours to 365 days). */
const MIN_SECRET_HOURS = 8;
const MAX_SECRET_HOURS = 8760;

export const WRITE_HANDLERS: Record<WriteRouteName, Handler> = {
  createKey(ctx) {
    const org = ownedOrg(ctx);
    if (!('id' in org)) return org;
    const body = readJson(ctx);
    if (!isRecord(body)) return invalid('The request body must be a JSON object {desc, roles}.');
    const desc = readDesc(body['desc'], true);
    if (typeof desc !== 'string') return desc;
    const roles = readRoles(body['roles'], ORG_ROLES, 'roles');
    if (!Array.isArray(roles)) return roles;
    const now = clock(ctx)();
    const key: SimApiKey = {
      id: newObjectId(now.getTime()),
      publicKey: newPublicKey(ctx),
      privateKey: randomUUID(),
      desc,
      orgId: org.id,
      roles: roles.map((roleName) => ({ orgId: org.id, roleName })),
      accessList: [],
    };
    ctx.state.apiKeys.push(key);
    // The only answer that carries the private key in clear.
    return { status: 200, body: { ...renderApiKey(key, ctx.base), privateKey: key.privateKey } };
  },

  updateKey(ctx) {
    const org = ownedOrg(ctx);
    if (!('id' in org)) return org;
    const key = keyInOrg(ctx, org);
    if (!('id' in key)) return key;
    const body = readJson(ctx);
    if (!isRecord(body) || (body['desc'] === undefined && body['roles'] === undefined)) {
      return invalid('The request body must be a JSON object with desc, roles or both.');
    }
    const desc = body['desc'] === undefined ? undefined : readDesc(body['desc'], true);
    if (desc !== undefined && typeof desc !== 'string') return desc;
    const roles = body['roles'] === undefined ? undefined : readRoles(body['roles'], ORG_ROLES, 'roles');
    if (roles !== undefined && !Array.isArray(roles)) return roles;
    if (desc !== undefined) key.desc = desc;
    if (roles !== undefined) {
      key.roles = [...roles.map((roleName) => ({ orgId: org.id, roleName })), ...key.roles.filter((role) => role.groupId !== undefined)];
    }
    return { status: 200, body: renderApiKey(key, ctx.base) };
  },

  addAccessList(ctx) {
    const id = ctx.params['orgId'] ?? '';
    const org = ctx.index.org(id);
    if (org === undefined) return apiError(404, 'RESOURCE_NOT_FOUND', `Cannot find organization ${id}.`);
    const key = keyInOrg(ctx, org);
    if (!('id' in key)) return key;
    const isSelf = ctx.caller.kind === 'apiKey' && ctx.caller.key === key;
    if (!isSelf && !hasOrgRole(ctx.caller, org.id, ['ORG_OWNER'])) return forbidden(ctx);
    const body = readJson(ctx);
    if (!Array.isArray(body) || body.length === 0) {
      return invalid('The request body must be a non-empty JSON array of {ipAddress} or {cidrBlock} objects.');
    }
    const additions: SimAccessListEntry[] = [];
    const created = isoSeconds(clock(ctx)());
    for (const [at, item] of body.entries()) {
      const entry = readEntry(item, at, created);
      if (!('cidrBlock' in entry)) return entry;
      additions.push(entry);
    }
    // Adding an entry the key already has changes nothing (so a retried POST is harmless).
    for (const entry of additions) {
      if (!key.accessList.some((existing) => sameBlock(existing.cidrBlock, entry.cidrBlock))) key.accessList.push(entry);
    }
    const page = readPageRequest(ctx.query);
    if ('status' in page) return page;
    return { status: 200, body: pageBody(key.accessList, page, ctx.selfUrl, (entry) => renderAccessListEntry(key, entry, ctx.base)) };
  },

  assignKey(ctx) {
    // Atlas: POST /groups/{groupId}/apiKeys/{apiUserId} with [{roles}] assigns (or re-assigns) the key; 204.
    if (ctx.flavor !== 'atlas') return notFoundPath(ctx);
    const found = projectAndKey(ctx, false);
    if (!('key' in found)) return found;
    const body = readJson(ctx);
    if (!Array.isArray(body) || body.length === 0) return invalid('The request body must be a non-empty JSON array of {roles} objects.');
    const names: string[] = [];
    for (const [at, item] of body.entries()) {
      if (!isRecord(item)) return invalid(`Item ${at} of the request body must be an object {roles}.`);
      const roles = readRoles(item['roles'], PROJECT_ROLES, `[${at}].roles`);
      if (!Array.isArray(roles)) return roles;
      for (const role of roles) if (!names.includes(role)) names.push(role);
    }
    setProjectRoles(found.key, found.project, names);
    return { status: 204 };
  },

  setProjectKeyRoles(ctx) {
    // Ops Manager assigns an existing key with PATCH {roles}; Atlas's PATCH only changes the roles of an assigned key.
    const found = projectAndKey(ctx, ctx.flavor === 'atlas');
    if (!('key' in found)) return found;
    const body = readJson(ctx);
    if (!isRecord(body)) return invalid('The request body must be a JSON object {roles}.');
    const roles = readRoles(body['roles'], PROJECT_ROLES, 'roles');
    if (!Array.isArray(roles)) return roles;
    if (ctx.flavor === 'atlas' && body['desc'] !== undefined) {
      const desc = readDesc(body['desc'], true);
      if (typeof desc !== 'string') return desc;
      found.key.desc = desc;
    }
    setProjectRoles(found.key, found.project, roles);
    return { status: 200, body: renderApiKey(found.key, ctx.base) };
  },

  getServiceAccount(ctx) {
    const found = serviceAccountOf(ctx, false);
    if (!('clientId' in found)) return found;
    return { status: 200, body: renderServiceAccount(found) };
  },

  createServiceAccountSecret(ctx) {
    const account = serviceAccountOf(ctx, true);
    if (!('clientId' in account)) return account;
    const body = readJson(ctx);
    const hours = isRecord(body) ? body['secretExpiresAfterHours'] : undefined;
    if (typeof hours !== 'number' || !Number.isInteger(hours) || hours < MIN_SECRET_HOURS || hours > MAX_SECRET_HOURS) {
      return invalid(
        `secretExpiresAfterHours must be an integer between ${MIN_SECRET_HOURS} and ${MAX_SECRET_HOURS}, given ${JSON.stringify(hours ?? null)}.`,
      );
    }
    const secrets = accountSecrets(account);
    if (secrets.length >= MAX_SECRETS_PER_ACCOUNT) {
      return apiError(
        400,
        SECRET_LIMIT_ERROR_CODE,
        `Service account ${account.clientId} already has ${secrets.length} secrets, the maximum; delete one before creating another.`,
      );
    }
    const created = addSecret(account, hours, clock(ctx)());
    return { status: 201, body: { ...renderSecret(created), secret: created.secret } };
  },

  deleteServiceAccountSecret(ctx) {
    const account = serviceAccountOf(ctx, true);
    if (!('clientId' in account)) return account;
    const secretId = ctx.params['secretId'] ?? '';
    if (!SECRET_ID.test(secretId)) return invalid(`Invalid secretId: must be 24 hexadecimal digits, given ${JSON.stringify(secretId)}.`);
    const secrets = accountSecrets(account);
    const at = secrets.findIndex((secret) => secret.id === secretId);
    if (at < 0) return apiError(404, 'RESOURCE_NOT_FOUND', `Cannot find secret ${secretId} of service account ${account.clientId}.`);
    secrets.splice(at, 1);
    return { status: 204 };
  },
};

function clock(ctx: ApiContext): () => Date {
  return ctx.now ?? (() => new Date());
}

function readJson(ctx: ApiContext): unknown {
  try {
    return JSON.parse(ctx.body ?? '');
  } catch {
    return undefined;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function invalid(detail: string): SimResponse {
  return apiError(400, 'INVALID_ATTRIBUTE', detail);
}

function forbidden(ctx: ApiContext, errorCode = 'ACCESS_FORBIDDEN'): SimResponse {
  return apiError(403, errorCode, `The ${ctx.caller.kind === 'apiKey' ? 'API key' : 'service account'} lacks the role this resource requires.`);
}

function notFoundPath(ctx: ApiContext): SimResponse {
  return apiError(404, 'RESOURCE_NOT_FOUND', `Cannot find resource ${ctx.selfUrl.replace(/^https?:\/\/[^/]+/, '')}.`);
}

function readDesc(value: unknown, required: boolean): string | SimResponse {
  if (value === undefined && !required) return '';
  if (typeof value !== 'string' || value.length < 1 || value.length > MAX_DESC) {
    return invalid(`desc must be a string of 1 to ${MAX_DESC} characters.`);
  }
  return value;
}

function readRoles(value: unknown, allowed: ReadonlySet<string>, field: string): string[] | SimResponse {
  if (!Array.isArray(value) || value.length === 0) return invalid(`${field} must be a non-empty array of role names.`);
  const names: string[] = [];
  for (const role of value) {
    if (typeof role !== 'string' || !allowed.has(role)) {
      return apiError(400, 'INVALID_ENUM_VALUE', `${field} contains an invalid role ${JSON.stringify(role)}.`);
    }
    if (!names.includes(role)) names.push(role);
  }
  return names;
}

/** One `UserAccessListRequest`: `ipAddress` or `cidrBlock`, never both. */
function readEntry(item: unknown, at: number, created: string): SimAccessListEntry | SimResponse {
  if (!isRecord(item)) return invalid(`Item ${at} of the request body must be an object {ipAddress} or {cidrBlock}.`);
  const ip = item['ipAddress'];
  const cidr = item['cidrBlock'];
  if ((ip === undefined) === (cidr === undefined)) return invalid(`Item ${at} must set exactly one of ipAddress and cidrBlock.`);
  const text = ip ?? cidr;
  try {
    if (typeof text !== 'string') throw new Error('not a string');
    const range = parseIpRange(text);
    const single = range.prefix === (range.family === 4 ? 32 : 128);
    if (ip !== undefined && !single) throw new Error('ipAddress must be one address');
    return single ? { cidrBlock: range.normalised, ipAddress: range.normalised, created, count: 0 } : { cidrBlock: range.normalised, created, count: 0 };
  } catch {
    return apiError(400, 'INVALID_IP_ADDRESS_OR_CIDR_NOTATION', `Item ${at}: IP address or CIDR block ${JSON.stringify(text)} is invalid.`);
  }
}

function sameBlock(a: string, b: string): boolean {
  try {
    return parseIpRange(a).normalised === parseIpRange(b).normalised;
  } catch {
    return a === b;
  }
}

/** The path's org, the caller being an Org Owner of it. */
function ownedOrg(ctx: ApiContext): SimOrg | SimResponse {
  const id = ctx.params['orgId'] ?? '';
  const org = ctx.index.org(id);
  if (org === undefined) return apiError(404, 'RESOURCE_NOT_FOUND', `Cannot find organization ${id}.`);
  if (!hasOrgRole(ctx.caller, org.id, ['ORG_OWNER'])) return forbidden(ctx, 'NOT_ORG_OWNER');
  return org;
}

function keyInOrg(ctx: ApiContext, org: SimOrg): SimApiKey | SimResponse {
  const id = ctx.params['apiUserId'] ?? '';
  const key = ctx.index.keyById(id);
  if (key !== undefined && key.orgId === org.id) return key;
  return apiError(404, 'RESOURCE_NOT_FOUND', `Cannot find API key ${id}.`);
}

/** The path's project and key of the same org; Project Owner or Org Owner. `assigned`: the key must be in it already. */
function projectAndKey(ctx: ApiContext, assigned: boolean): { project: SimProject; key: SimApiKey } | SimResponse {
  const groupId = ctx.params['groupId'] ?? '';
  const project = ctx.index.project(groupId);
  if (project === undefined) return apiError(404, 'GROUP_NOT_FOUND', `No group with ID ${groupId} exists.`);
  if (!hasOrgRole(ctx.caller, project.orgId, ['ORG_OWNER']) && !hasProjectRole(ctx.caller, project.id, ['GROUP_OWNER'])) {
    return forbidden(ctx);
  }
  const id = ctx.params['apiUserId'] ?? '';
  const key = ctx.index.keyById(id);
  if (key === undefined || key.orgId !== project.orgId || (assigned && !key.roles.some((role) => role.groupId === project.id))) {
    return apiError(404, 'RESOURCE_NOT_FOUND', `Cannot find API key ${id} in project ${project.id}.`);
  }
  return { project, key };
}

function setProjectRoles(key: SimApiKey, project: SimProject, roles: readonly string[]): void {
  key.roles = [...key.roles.filter((role) => role.groupId !== project.id), ...roles.map((roleName) => ({ groupId: project.id, roleName }))];
}

/** Service accounts exist on Atlas only; reading needs an org role, changing secrets Org Owner. */
function serviceAccountOf(ctx: ApiContext, write: boolean): SimServiceAccount | SimResponse {
  if (ctx.flavor !== 'atlas') return notFoundPath(ctx);
  const orgId = ctx.params['orgId'] ?? '';
  const org = ctx.index.org(orgId);
  if (org === undefined) return apiError(404, 'RESOURCE_NOT_FOUND', `Cannot find organization ${orgId}.`);
  if (!hasOrgRole(ctx.caller, org.id, write ? ['ORG_OWNER'] : undefined)) return forbidden(ctx);
  const clientId = ctx.params['clientId'] ?? '';
  if (!CLIENT_ID.test(clientId)) return invalid(`Invalid clientId: must be mdb_sa_id_ and 24 hexadecimal digits, given ${JSON.stringify(clientId)}.`);
  const account = ctx.index.serviceAccount(clientId);
  if (account === undefined || account.orgId !== org.id) {
    return apiError(404, 'RESOURCE_NOT_FOUND', `Cannot find service account ${clientId}.`);
  }
  return account;
}

/** `OrgServiceAccount`: secrets masked. */
function renderServiceAccount(account: SimServiceAccount): Record<string, unknown> {
  const hex = account.clientId.slice('mdb_sa_id_'.length).toLowerCase();
  return {
    clientId: account.clientId,
    name: `sa-${hex.slice(-6)}`,
    description: 'simulated service account',
    createdAt: objectIdTime(hex),
    roles: account.roles,
    secrets: accountSecrets(account).map(renderSecret),
  };
}

/** Eight lowercase letters, unused in the state (public keys are unique across Atlas). */
function newPublicKey(ctx: ApiContext): string {
  for (;;) {
    const bytes = randomBytes(8);
    const candidate = String.fromCharCode(...[...bytes].map((byte) => 97 + (byte % 26)));
    if (ctx.index.keyByPublicKey(candidate) === undefined) return candidate;
  }
}
