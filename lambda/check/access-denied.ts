import { ACCESS_MANAGER, CHECK_NAMES } from './constants.ts';
import { addressInDetail } from './address-in-detail.ts';
import { fail } from './check-result.ts';
import { callerName, type OrgContext } from './org-context.ts';
import type { CheckResult } from './types.ts';

/** 403 codes with which Atlas refuses a caller for its source address, not for its key or its roles. */
export const ACCESS_LIST_CODES: ReadonlySet<string> = new Set(['IP_ADDRESS_NOT_ON_ACCESS_LIST', 'ORG_REQUIRES_ACCESS_LIST']);

/** The access-list failure for a 403 `IP_ADDRESS_NOT_ON_ACCESS_LIST` / `ORG_REQUIRES_ACCESS_LIST`. */
export function accessDenied(errorCode: string, detail: string | undefined, ctx: OrgContext): CheckResult {
  const who = callerName(ctx.resolved);
  const address = addressInDetail(detail) ?? ctx.egressIp;
  const shown = address ?? 'the worker’s egress IP (the stack’s EgressIps output)';
  const how =
    ctx.resolved.credentials.kind === 'digest'
      ? `${ACCESS_MANAGER} → API Keys → ${ctx.resolved.credentials.publicKey} → Edit → Add Access List Entry, or atlas organizations apiKeys accessLists create --apiKey <its id> --ip ${address ?? '<one of EgressIps>'}`
      : 'Atlas UI → Organization → Access Manager → Applications → Service Accounts → its API Access List';
  const why =
    errorCode === 'ORG_REQUIRES_ACCESS_LIST'
      ? `org ${ctx.orgId} requires an API access list, and ${who} has no entry admitting ${shown}`
      : `${who} may not be used from ${shown}: that address is not on its access list`;
  return fail(
    CHECK_NAMES.accessList,
    `egress IP not listed: ${why} (403 ${errorCode})`,
    `Add ${shown} to the access list of ${who} (${how}), and to the policy's protectedEntries.`,
    ctx.orgId,
  );
}
