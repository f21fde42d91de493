import { AtlasApiError } from '../atlas/index.ts';
import type { AccessListEntry, ApiKey } from '../atlas/types.ts';
import { cidrOverlap } from '../policy/cidr-overlap.ts';
import { type AccessListAddress, parseAccessListEntry } from '../validation/access-list-entry.ts';
import { describeError } from '../worker/describe-error.ts';
import { ACCESS_LIST_CODES, accessDenied } from './access-denied.ts';
import { fail, pass, warn } from './check-result.ts';
import { ACCESS_MANAGER, CHECK_NAMES, RECENT_USE_MS } from './constants.ts';
import { callerName, type OrgContext } from './org-context.ts';
import type { CheckResult } from './types.ts';

/**
 * The worker's address on its own key's access list. The calls so far succeeded, so the address this check
 * runs from is admitted (a refusal was reported with the org check); here the key's entries say which entry
 * admits it (the one just used), whether a deployed egress IP given by the operator is on it too, and whether
 * the policy's `protectedEntries` cover that entry.
 */
export async function checkAccessList(ctx: OrgContext, ownKey: ApiKey | undefined): Promise<CheckResult[]> {
  const { orgId } = ctx;
  const who = callerName(ctx.resolved);
  if (ctx.resolved.credentials.kind === 'oauth') {
    const results = [pass(CHECK_NAMES.accessList, `${who}'s calls from this check's address were accepted`, orgId)];
    if (ctx.egressIp !== undefined) {
      results.push(
        warn(
          CHECK_NAMES.accessList,
          `whether the egress IP ${ctx.egressIp} is on ${who}'s access list cannot be read by this client`,
          `Check that ${ctx.egressIp} is on the service account's API access list (${ACCESS_MANAGER} → Applications → Service Accounts).`,
          orgId,
        ),
      );
    }
    return results;
  }
  if (ownKey === undefined) {
    return [warn(CHECK_NAMES.accessList, `${who}'s calls were accepted, but its access list was not read (the key was not found in the org's listing)`, undefined, orgId)];
  }

  let entries: AccessListEntry[];
  try {
    entries = [];
    for await (const page of ctx.client.listAccessList(orgId, ownKey.id, ctx.call)) entries.push(...page.results);
  } catch (error) {
    if (error instanceof AtlasApiError && error.status === 403 && error.errorCode !== undefined && ACCESS_LIST_CODES.has(error.errorCode)) {
      return [accessDenied(error.errorCode, error.detail, ctx)];
    }
    return [warn(CHECK_NAMES.accessList, `${who}'s access list could not be read (${describeError(error).summary})`, 'Run the check again.', orgId)];
  }
  const required = await accessListRequired(ctx);

  if (entries.length === 0) {
    if (required === true) {
      return [
        fail(
          CHECK_NAMES.accessList,
          `egress IP not listed: org ${orgId} requires an API access list and ${who} has no entries`,
          `Add the worker's egress IP (the stack's EgressIps output) to ${who}'s access list (${ACCESS_MANAGER} → API Keys → Edit → Add Access List Entry).`,
          orgId,
        ),
      ];
    }
    const why = required === false ? 'the org does not require an API access list' : 'the org accepted calls without one';
    return [pass(CHECK_NAMES.accessList, `not required: ${why}, and ${who} has no access list (any address may use it)`, orgId)];
  }

  const results: CheckResult[] = [];
  const listed = entries.map(entryLabel).join(', ');
  const requiredNote = required === true ? '; the org requires an API access list' : '';
  const observed = entryJustUsed(entries, ctx.now);
  const observedAddress = observed?.lastUsedAddress ?? (observed === undefined ? undefined : entryLabel(observed));
  let egressEntry: AccessListEntry | undefined;
  let egressAddress: string | undefined;

  if (ctx.egressIp !== undefined) {
    const target = parseOrUndefined(ctx.egressIp);
    egressEntry = target === undefined ? undefined : entries.find((entry) => overlaps(entry, target));
    egressAddress = ctx.egressIp;
    if (egressEntry === undefined) {
      results.push(
        fail(
          CHECK_NAMES.accessList,
          `egress IP not listed: the worker's egress IP ${ctx.egressIp} is not on ${who}'s access list (${listed})${requiredNote}`,
          `Add ${ctx.egressIp} to ${who}'s access list (${ACCESS_MANAGER} → API Keys → ${ctx.resolved.credentials.publicKey} → Edit → Add Access List Entry, or atlas organizations apiKeys accessLists create --apiKey ${ownKey.id} --ip ${ctx.egressIp}).`,
          orgId,
        ),
      );
    } else {
      results.push(pass(CHECK_NAMES.accessList, `the worker's egress IP ${ctx.egressIp} is on ${who}'s access list (entry ${entryLabel(egressEntry)})${requiredNote}`, orgId));
    }
  } else if (observed !== undefined) {
    egressEntry = observed;
    egressAddress = observedAddress;
    results.push(pass(CHECK_NAMES.accessList, `this check's address ${observedAddress} is on ${who}'s access list (entry ${entryLabel(observed)} of ${entries.length})${requiredNote}`, orgId));
  } else {
    results.push(
      pass(
        CHECK_NAMES.accessList,
        `${who}'s access list (${entries.length} entries: ${listed}) admitted this check's calls; no entry shows a use in the last ${RECENT_USE_MS / 60_000} minutes to tell which${requiredNote}`,
        orgId,
      ),
    );
  }

  if (egressEntry !== undefined) results.push(protectedEntriesResult(ctx, egressEntry, egressAddress ?? entryLabel(egressEntry)));
  return results;
}

/** Whether `protectedEntries` covers the entry admitting the worker, so that no sweep prunes that address. */
function protectedEntriesResult(ctx: OrgContext, entry: AccessListEntry, address: string): CheckResult {
  const range = parseOrUndefined(entry.cidrBlock ?? entry.ipAddress);
  const cover = range === undefined ? undefined : ctx.policy.protectedEntries.find((text) => {
    const protectedRange = parseOrUndefined(text);
    return protectedRange !== undefined && cidrOverlap(protectedRange, range);
  });
  if (cover !== undefined) {
    return pass(CHECK_NAMES.protectedEntries, `the worker's entry ${entryLabel(entry)} is covered by protectedEntries "${cover}"`, ctx.orgId);
  }
  return warn(
    CHECK_NAMES.protectedEntries,
    `the worker's entry ${entryLabel(entry)} (address ${address}) is not covered by ${ctx.policySource}'s protectedEntries: a sweep may prune that address from other keys`,
    `Add "${entryLabel(entry)}" to protectedEntries in ${ctx.policySource}.`,
    ctx.orgId,
  );
}

/** `apiAccessListRequired` when the client can read the org's settings; undefined when unknown. */
async function accessListRequired(ctx: OrgContext): Promise<boolean | undefined> {
  if (ctx.client.getOrgSettings === undefined) return undefined;
  try {
    return (await ctx.client.getOrgSettings(ctx.orgId, ctx.call)).apiAccessListRequired;
  } catch {
    return undefined;
  }
}

/** The entry whose `lastUsed` is newest and recent: the one that admitted this check's own calls. */
function entryJustUsed(entries: readonly AccessListEntry[], now: Date): AccessListEntry | undefined {
  let best: { entry: AccessListEntry; at: number } | undefined;
  for (const entry of entries) {
    const at = entry.lastUsed === undefined ? Number.NaN : Date.parse(entry.lastUsed);
    if (Number.isNaN(at) || Math.abs(now.getTime() - at) > RECENT_USE_MS) continue;
    if (best === undefined || at > best.at) best = { entry, at };
  }
  return best?.entry;
}

function overlaps(entry: AccessListEntry, target: AccessListAddress): boolean {
  const range = parseOrUndefined(entry.cidrBlock ?? entry.ipAddress);
  return range !== undefined && cidrOverlap(range, target);
}

function parseOrUndefined(text: string | undefined): AccessListAddress | undefined {
  if (text === undefined) return undefined;
  try {
    return parseAccessListEntry(text);
  } catch {
    return undefined;
  }
}

/** `203.0.113.7` for a single address, the CIDR block otherwise. */
function entryLabel(entry: AccessListEntry): string {
  return entry.ipAddress ?? parseOrUndefined(entry.cidrBlock)?.normalised ?? entry.cidrBlock ?? '?';
}
