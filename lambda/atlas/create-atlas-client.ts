import { createDigestAuth } from './auth/digest/create-digest-auth.ts';
import { createOAuthAuth } from './auth/oauth/create-oauth-auth.ts';
import { fetchToken } from './auth/oauth/fetch-token.ts';
import type { AuthStrategy } from './auth/types.ts';
import { ACCEPT, PATH_PREFIX, USER_AGENT } from './constants.ts';
import { createWriteMethods } from './endpoints/create-write-methods.ts';
import { deleteResource } from './endpoints/delete-resource.ts';
import { getResource } from './endpoints/get-resource.ts';
import { listResource } from './endpoints/list-resource.ts';
import { apiPath } from './inputs/api-path.ts';
import { validateClientOptions } from './inputs/validate-client-options.ts';
import { validateEntry } from './inputs/validate-entry.ts';
import { validateListOptions } from './inputs/validate-list-options.ts';
import { validateObjectId } from './inputs/validate-object-id.ts';
import { validatePageNumber } from './inputs/validate-page-number.ts';
import { createPacer } from './pacing/create-pacer.ts';
import { registerSecret } from './redact.ts';
import type { RequestContext } from './request/send-request.ts';
import { accessListEntrySchema, apiKeyReadSchema, organizationSchema, projectSchema } from './schemas.ts';
import { createTransport } from './transport/create-transport.ts';
import type { AccessListEntry, ApiKey, AtlasClient, AtlasClientOptions, Organization, Project } from './types.ts';

/**
 * Builds an Atlas (or Ops Manager) client. Build it once and reuse it: it holds the connection pool, the Digest
 * nonce or OAuth token, and the pacing buckets. Every id and entry is validated before any request, and a bad
 * one throws `InputValidationError` naming the argument.
 */
export function createAtlasClient(options: AtlasClientOptions): AtlasClient {
  const resolved = validateClientOptions(options);
  const now = options.now ?? Date.now;
  const onEvent = options.onEvent;
  const transport = createTransport({ timeouts: resolved.timeouts, connections: resolved.connections });

  let auth: AuthStrategy;
  const credentials = options.credentials;
  if (credentials.kind === 'digest') {
    registerSecret(credentials.privateKey);
    auth = createDigestAuth({
      username: credentials.publicKey,
      password: credentials.privateKey,
      ...(onEvent === undefined ? {} : { onEvent }),
    });
  } else {
    registerSecret(credentials.clientSecret);
    auth = createOAuthAuth({
      now,
      ...(onEvent === undefined ? {} : { onEvent }),
      fetchToken: (signal) =>
        fetchToken(
          {
            transport,
            tokenUrl: resolved.tokenUrl,
            clientId: credentials.clientId,
            clientSecret: credentials.clientSecret,
            now,
          },
          signal,
        ),
    });
  }

  const context: RequestContext = {
    origin: resolved.origin,
    prefix: PATH_PREFIX[options.flavor],
    accept: ACCEPT[options.flavor],
    userAgent: USER_AGENT,
    transport,
    auth,
    pacer:
      resolved.pacing === undefined
        ? undefined
        : createPacer({ origin: resolved.origin, pacing: resolved.pacing, now, ...(onEvent === undefined ? {} : { onEvent }) }),
    retry: resolved.retry,
    random: options.random ?? Math.random,
    now,
    onEvent,
  };

  return {
    flavor: options.flavor,
    baseUrl: resolved.origin,

    listOrgKeys(orgId, listOptions) {
      const path = apiPath`/orgs/${validateObjectId(orgId, 'orgId')}/apiKeys`;
      return listResource<typeof apiKeyReadSchema, ApiKey>(context, path, apiKeyReadSchema, validateListOptions(listOptions), listOptions);
    },

    listProjectKeys(groupId, listOptions) {
      const path = apiPath`/groups/${validateObjectId(groupId, 'groupId')}/apiKeys`;
      return listResource<typeof apiKeyReadSchema, ApiKey>(context, path, apiKeyReadSchema, validateListOptions(listOptions), listOptions);
    },

    listAccessList(orgId, apiUserId, listOptions) {
      const path = apiPath`/orgs/${validateObjectId(orgId, 'orgId')}/apiKeys/${validateObjectId(apiUserId, 'apiUserId')}/accessList`;
      return listResource<typeof accessListEntrySchema, AccessListEntry>(
        context,
        path,
        accessListEntrySchema,
        validateListOptions(listOptions),
        listOptions,
      );
    },

    listOrgProjects(orgId, listOptions) {
      const path = apiPath`/orgs/${validateObjectId(orgId, 'orgId')}/groups`;
      return listResource<typeof projectSchema, Project>(context, path, projectSchema, validateListOptions(listOptions), listOptions);
    },

    async removeKeyFromProject(groupId, apiUserId, callOptions) {
      const path = apiPath`/groups/${validateObjectId(groupId, 'groupId')}/apiKeys/${validateObjectId(apiUserId, 'apiUserId')}`;
      return deleteResource(context, path, 'project-assignment', callOptions);
    },

    async deleteOrgKey(orgId, apiUserId, callOptions) {
      const path = apiPath`/orgs/${validateObjectId(orgId, 'orgId')}/apiKeys/${validateObjectId(apiUserId, 'apiUserId')}`;
      return deleteResource(context, path, 'org-key', callOptions);
    },

    async deleteAccessListEntry(orgId, apiUserId, entry, callOptions) {
      const path = apiPath`/orgs/${validateObjectId(orgId, 'orgId')}/apiKeys/${validateObjectId(apiUserId, 'apiUserId')}/accessList/${validateEntry(entry)}`;
      return deleteResource(context, path, 'access-list-entry', callOptions);
    },

    async getOrg(orgId, callOptions) {
      const path = apiPath`/orgs/${validateObjectId(orgId, 'orgId')}`;
      return (await getResource(context, path, organizationSchema, callOptions)) as Organization;
    },

    async getOrgKey(orgId, apiUserId, callOptions) {
      const path = apiPath`/orgs/${validateObjectId(orgId, 'orgId')}/apiKeys/${validateObjectId(apiUserId, 'apiUserId')}`;
      return (await getResource(context, path, apiKeyReadSchema, callOptions, 'org-key')) as ApiKey;
    },

    async getOrgKeysPage(orgId, pageNum, pageOptions) {
      const path = apiPath`/orgs/${validateObjectId(orgId, 'orgId')}/apiKeys`;
      const range = validateListOptions({ ...pageOptions, startPage: validatePageNumber(pageNum), maxPages: 1 });
      for await (const page of listResource<typeof apiKeyReadSchema, ApiKey>(context, path, apiKeyReadSchema, range, pageOptions)) return page;
      throw new Error('unreachable: a listing yields at least one page');
    },

    async getProject(groupId, callOptions) {
      const path = apiPath`/groups/${validateObjectId(groupId, 'groupId')}`;
      return (await getResource(context, path, projectSchema, callOptions, 'project')) as Project;
    },

    ...createWriteMethods(context, options.flavor),

    close: () => transport.close(),
  };
}
