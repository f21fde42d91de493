import type { CallOptions } from '../atlas/types.ts';
import type { ResolvedCredentials } from '../credentials/types.ts';
import type { Policy } from '../policy/schema.ts';
import { describeSource } from './describe-source.ts';
import type { CheckAtlasClient } from './types.ts';

/** What every authenticated check of one org shares. */
export interface OrgContext {
  readonly orgId: string;
  readonly client: CheckAtlasClient;
  readonly resolved: ResolvedCredentials;
  readonly call: CallOptions;
  readonly now: Date;
  readonly policy: Policy;
  readonly policySource: string;
  readonly egressIp: string | undefined;
}

/** `API key abcdefgh` / `service account mdb_sa_id_…`: public identifiers only. */
export function callerName(resolved: ResolvedCredentials): string {
  const { credentials } = resolved;
  return credentials.kind === 'digest' ? `API key ${credentials.publicKey}` : `service account ${credentials.clientId}`;
}

/** Where the credentials live, for fix sentences. */
export function credentialsHome(resolved: ResolvedCredentials): string {
  return describeSource(resolved.source);
}
