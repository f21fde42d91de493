import type { SimState, SimWorkerCredentials } from './types.ts';

/** For a fixture: per org, the first Org Owner API key and Org Owner service account (orgs lacking one are skipped). */
export function findWorkerCredentials(state: SimState): SimWorkerCredentials[] {
  const workers: SimWorkerCredentials[] = [];
  for (const org of state.orgs) {
    const key = state.apiKeys.find(
      (candidate) =>
        candidate.orgId === org.id &&
        candidate.roles.some((role) => role.groupId === undefined && role.roleName === 'ORG_OWNER'),
    );
    const account = state.serviceAccounts.find(
      (candidate) => candidate.orgId === org.id && candidate.roles.includes('ORG_OWNER'),
    );
    if (key === undefined || account === undefined) continue;
    workers.push({
      orgId: org.id,
      apiKeyId: key.id,
      publicKey: key.publicKey,
      privateKey: key.privateKey,
      clientId: account.clientId,
      clientSecret: account.clientSecret,
    });
  }
  return workers;
}
