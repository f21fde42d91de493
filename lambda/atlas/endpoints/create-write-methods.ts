import { InputValidationError } from '../../validation/errors.ts';
import { AtlasApiError } from '../errors.ts';
import { apiPath } from '../inputs/api-path.ts';
import { validateEntry } from '../inputs/validate-entry.ts';
import { validateObjectId } from '../inputs/validate-object-id.ts';
import { registerSecret } from '../redact.ts';
import { apiKeySchema } from '../schemas.ts';
import { parseBody } from '../request/parse-body.ts';
import { type RequestContext, sendRequest } from '../request/send-request.ts';
import type { AccessListEntry, ApiKey, Flavor } from '../types.ts';
import { validateClientId, validateSecretId } from './service-account-ids.ts';
import { writeResource } from './write-resource.ts';
import {
  accessListPageSchema,
  createdApiKeySchema,
  createdServiceAccountSecretSchema,
  serviceAccountSchema,
} from './write-schemas.ts';
import type { AtlasWriteMethods, CreatedApiKey, CreatedServiceAccountSecret, ServiceAccount } from './write-types.ts';

/** Service accounts exist at this version of the Atlas API only (the API-key endpoints at 2023-01-01). */
export const SERVICE_ACCOUNT_MEDIA_TYPE = 'application/vnd.atlas.2024-08-05+json';

/** The spec's limits on a key's description and a secret's lifetime (Atlas: 8 hours to 365 days). */
const MAX_DESC_LENGTH = 250;
const MIN_SECRET_HOURS = 8;
const MAX_SECRET_HOURS = 8760;

/** Builds the write methods over the client's request context. Inputs are validated before any request. */
export function createWriteMethods(context: RequestContext, flavor: Flavor): AtlasWriteMethods {
  const serviceAccountsOnly = (what: string) => {
    if (flavor !== 'atlas') throw new InputValidationError('flavor', `${what} exists on Atlas only (Ops Manager has no service accounts)`);
  };

  return {
    async createOrgKey(orgId, key, options) {
      const path = apiPath`/orgs/${validateObjectId(orgId, 'orgId')}/apiKeys`;
      const body = { desc: checkDesc(key.desc), roles: checkRoles(key.roles, 'roles') };
      const created = await writeResource(context, { method: 'POST', path, body, idempotent: false }, createdApiKeySchema, options);
      registerSecret(created.privateKey);
      return created as CreatedApiKey;
    },

    async updateOrgKey(orgId, apiUserId, update, options) {
      const path = apiPath`/orgs/${validateObjectId(orgId, 'orgId')}/apiKeys/${validateObjectId(apiUserId, 'apiUserId')}`;
      if (update.desc === undefined && update.roles === undefined) throw new InputValidationError('update', 'must set desc, roles or both');
      const body = {
        ...(update.desc === undefined ? {} : { desc: checkDesc(update.desc) }),
        ...(update.roles === undefined ? {} : { roles: checkRoles(update.roles, 'roles') }),
      };
      const parsed = await writeResource(context, { method: 'PATCH', path, body }, apiKeySchema, options);
      // The answer repeats the private key masked; it is of no use to anyone.
      const { privateKey: _masked, ...key } = parsed as Record<string, unknown>;
      return key as ApiKey;
    },

    async addAccessListEntries(orgId, apiUserId, entries, options) {
      const path = apiPath`/orgs/${validateObjectId(orgId, 'orgId')}/apiKeys/${validateObjectId(apiUserId, 'apiUserId')}/accessList`;
      if (entries.length === 0) throw new InputValidationError('entries', 'must hold at least one address or CIDR block');
      const body = entries.map((entry, at) => accessListRequest(entry, `entries.${at}`));
      const page = await writeResource(context, { method: 'POST', path, body }, accessListPageSchema, options);
      return page.results as readonly AccessListEntry[];
    },

    async assignKeyToProject(groupId, apiUserId, roles, options) {
      const path = apiPath`/groups/${validateObjectId(groupId, 'groupId')}/apiKeys/${validateObjectId(apiUserId, 'apiUserId')}`;
      const checked = checkRoles(roles, 'roles');
      if (flavor === 'atlas') await writeResource(context, { method: 'POST', path, body: [{ roles: checked }] }, undefined, options);
      else await writeResource(context, { method: 'PATCH', path, body: { roles: checked } }, undefined, options);
    },

    async getServiceAccount(orgId, clientId, options) {
      serviceAccountsOnly('getServiceAccount');
      const path = apiPath`/orgs/${validateObjectId(orgId, 'orgId')}/serviceAccounts/${validateClientId(clientId)}`;
      const response = await sendRequest(context, { method: 'GET', path, accept: SERVICE_ACCOUNT_MEDIA_TYPE }, options);
      return parseBody(serviceAccountSchema, response, { method: 'GET', path: context.prefix + path }) as ServiceAccount;
    },

    async createServiceAccountSecret(orgId, clientId, expiresAfterHours, options) {
      serviceAccountsOnly('createServiceAccountSecret');
      const path = apiPath`/orgs/${validateObjectId(orgId, 'orgId')}/serviceAccounts/${validateClientId(clientId)}/secrets`;
      if (!Number.isInteger(expiresAfterHours) || expiresAfterHours < MIN_SECRET_HOURS || expiresAfterHours > MAX_SECRET_HOURS) {
        throw new InputValidationError(
          'expiresAfterHours',
          `must be a whole number of hours between ${MIN_SECRET_HOURS} and ${MAX_SECRET_HOURS}, given ${expiresAfterHours}`,
        );
      }
      const created = await writeResource(
        context,
        { method: 'POST', path, body: { secretExpiresAfterHours: expiresAfterHours }, accept: SERVICE_ACCOUNT_MEDIA_TYPE, idempotent: false },
        createdServiceAccountSecretSchema,
        options,
      );
      registerSecret(created.secret);
      return created as CreatedServiceAccountSecret;
    },

    async deleteServiceAccountSecret(orgId, clientId, secretId, options) {
      serviceAccountsOnly('deleteServiceAccountSecret');
      const path = apiPath`/orgs/${validateObjectId(orgId, 'orgId')}/serviceAccounts/${validateClientId(clientId)}/secrets/${validateSecretId(secretId)}`;
      try {
        await sendRequest(context, { method: 'DELETE', path, accept: SERVICE_ACCOUNT_MEDIA_TYPE }, options);
        return 'done';
      } catch (error) {
        // Strict: only Atlas's own not-found answer means the secret (or its account) is gone.
        if (error instanceof AtlasApiError && error.kind === 'http' && error.status === 404 && error.errorCode === 'RESOURCE_NOT_FOUND') {
          return 'already-absent';
        }
        throw error;
      }
    },
  };
}

function checkDesc(desc: string): string {
  if (typeof desc !== 'string' || desc.length < 1 || desc.length > MAX_DESC_LENGTH) {
    throw new InputValidationError('desc', `must be 1 to ${MAX_DESC_LENGTH} characters, given ${typeof desc === 'string' ? desc.length : typeof desc}`);
  }
  return desc;
}

function checkRoles(roles: readonly string[], field: string): string[] {
  if (!Array.isArray(roles) || roles.length === 0) throw new InputValidationError(field, 'must name at least one role');
  for (const [at, role] of roles.entries()) {
    if (typeof role !== 'string' || !/^[A-Z][A-Z_]{2,63}$/.test(role)) {
      throw new InputValidationError(`${field}.${at}`, `must be a role name such as ORG_MEMBER, given ${JSON.stringify(role)}`);
    }
  }
  return [...new Set(roles)];
}

/** `UserAccessListRequest`: a single address as `ipAddress`, a block as `cidrBlock` (IPv6 in eight groups). */
function accessListRequest(entry: string, field: string): { ipAddress: string } | { cidrBlock: string } {
  const segment = validateEntry(entry, field);
  const [address = '', prefix] = segment.split('%2F');
  return prefix === undefined ? { ipAddress: address } : { cidrBlock: `${address}/${prefix}` };
}
