import type { AccessListEntry, ApiKey, CallOptions, DeleteOutcome } from '../types.ts';

/** A key as `POST /orgs/{orgId}/apiKeys` answers it: the only time its private key is in clear. */
export interface CreatedApiKey extends ApiKey {
  readonly privateKey: string;
}

/** `CreateAtlasOrganizationApiKey`: a description (1-250 characters) and at least one org role. */
export interface NewApiKey {
  readonly desc: string;
  readonly roles: readonly string[];
}

/** `UpdateAtlasOrganizationApiKey`: a new description, new org roles (replacing the old), or both. */
export interface ApiKeyUpdate {
  readonly desc?: string;
  readonly roles?: readonly string[];
}

/** One secret of a service account, as listed (never its value). */
export interface ServiceAccountSecret {
  readonly id: string;
  /** ISO-8601 */
  readonly createdAt: string;
  /** ISO-8601 */
  readonly expiresAt: string;
  readonly lastUsedAt?: string;
  readonly maskedSecretValue?: string;
  readonly [field: string]: unknown;
}

/** The answer to creating a secret: the only time its value is in clear. */
export interface CreatedServiceAccountSecret extends ServiceAccountSecret {
  readonly secret: string;
}

/** `OrgServiceAccount` (Atlas only). */
export interface ServiceAccount {
  readonly clientId: string;
  readonly name?: string;
  readonly roles: readonly string[];
  readonly secrets: readonly ServiceAccountSecret[];
  readonly [field: string]: unknown;
}

/**
 * The client's write methods for rotation. A created private key or secret is registered for redaction the
 * moment it is parsed, so no later error or log line can carry it. Creating calls (a key, a secret) are retried
 * only after a 429: after a network error, timeout or 5xx the server may have acted, and a blind resend could
 * create a second one; the caller finds out what exists instead.
 */
export interface AtlasWriteMethods {
  /** `POST /orgs/{orgId}/apiKeys`. */
  createOrgKey(orgId: string, key: NewApiKey, options?: CallOptions): Promise<CreatedApiKey>;
  /** `PATCH /orgs/{orgId}/apiKeys/{apiUserId}`. */
  updateOrgKey(orgId: string, apiUserId: string, update: ApiKeyUpdate, options?: CallOptions): Promise<ApiKey>;
  /**
   * `POST /orgs/{orgId}/apiKeys/{apiUserId}/accessList` with each entry (address or CIDR, validated and
   * normalised first); entries the key already has are left as they are. Resolves with the key's access list.
   */
  addAccessListEntries(orgId: string, apiUserId: string, entries: readonly string[], options?: CallOptions): Promise<readonly AccessListEntry[]>;
  /**
   * Assigns an org key to a project with exactly these project roles (replacing any it had there): Atlas
   * `POST /groups/{groupId}/apiKeys/{apiUserId}` with `[{roles}]`, Ops Manager `PATCH` with `{roles}`.
   */
  assignKeyToProject(groupId: string, apiUserId: string, roles: readonly string[], options?: CallOptions): Promise<void>;
  /** `GET /orgs/{orgId}/serviceAccounts/{clientId}` (Atlas, version 2024-08-05): roles and secrets (masked). */
  getServiceAccount(orgId: string, clientId: string, options?: CallOptions): Promise<ServiceAccount>;
  /** `POST .../serviceAccounts/{clientId}/secrets`: a new secret expiring after `expiresAfterHours`. */
  createServiceAccountSecret(
    orgId: string,
    clientId: string,
    expiresAfterHours: number,
    options?: CallOptions,
  ): Promise<CreatedServiceAccountSecret>;
  /** `DELETE .../serviceAccounts/{clientId}/secrets/{secretId}`; already gone (404) is `already-absent`. */
  deleteServiceAccountSecret(orgId: string, clientId: string, secretId: string, options?: CallOptions): Promise<DeleteOutcome>;
}
