import type { Credentials, Flavor } from '../atlas/types.ts';

/** Everything needed to build an Atlas client. */
export interface ResolvedCredentials {
  readonly credentials: Credentials;
  /** Origin, e.g. `https://cloud.mongodb.com`. */
  readonly baseUrl: string;
  readonly flavor: Flavor;
  /** Where they came from (for logs): `secret:<id>` or `env`. Never the values. */
  readonly source: string;
}

/** Reads the worker's own Atlas credentials; `refresh` bypasses any cache (used once after a 401). */
export interface CredentialSource {
  get(): Promise<ResolvedCredentials>;
  refresh(): Promise<ResolvedCredentials>;
}

export const DEFAULT_ATLAS_BASE_URL = 'https://cloud.mongodb.com';
