import { ACCEPT, PATH_PREFIX } from '../atlas/constants.ts';
import type { Flavor } from '../atlas/types.ts';
import { showValue } from '../commands/show-value.ts';
import { fail, pass, warn } from './check-result.ts';
import { CHECK_NAMES, DIGEST_REALM } from './constants.ts';
import type { CheckResult, ProbeAnswer } from './types.ts';

const API_NAME: Readonly<Record<Flavor, string>> = {
  atlas: 'the Atlas Administration API v2',
  'ops-manager': 'the Ops Manager / Cloud Manager API v1.0',
};

/** What to set instead, for a base URL that does not serve the API the flavour expects. */
function pointAtApi(origin: string, flavor: Flavor): string {
  const other =
    flavor === 'atlas'
      ? 'for Ops Manager or Cloud Manager (which serve /api/public/v1.0) set flavor "ops-manager"'
      : 'for Atlas set flavor "atlas" and https://cloud.mongodb.com';
  return `Set the base URL to the origin that serves ${API_NAME[flavor]} at ${PATH_PREFIX[flavor]} (https://cloud.mongodb.com for Atlas; your Ops Manager's https://host:port), not ${origin}; ${other}.`;
}

/**
 * Reads the answer to an unauthenticated GET of `{origin}{prefix}/orgs/{orgId}`. Atlas and Ops Manager check
 * the version and the path, then ask for credentials: a 401 with a Digest challenge (or an Atlas error body) is
 * an API that negotiated the media type. A 406/410 is a version it refuses; a 404, a redirect or an HTML page is
 * not the API at that path.
 */
export function checkApi(answer: ProbeAnswer, origin: string, flavor: Flavor, orgId: string): CheckResult {
  const name = CHECK_NAMES.api;
  const url = `${origin}${PATH_PREFIX[flavor]}`;
  const accept = ACCEPT[flavor];
  if (answer.kind === 'unreachable') {
    return fail(
      name,
      `${origin} did not answer (${answer.code})`,
      `Check the host name and port, DNS, and that the worker's network allows outbound HTTPS to ${origin} (security group egress 443, NAT gateway).`,
      orgId,
    );
  }
  const { status, contentType, errorCode } = answer;
  const atlasError = errorCode !== undefined;
  const what = `${status}${errorCode === undefined ? '' : ` ${errorCode}`}${contentType === undefined ? '' : ` (${contentType})`}`;
  if (status === 406 || errorCode === 'INVALID_VERSION_DATE') {
    return fail(
      name,
      `version negotiation failed: ${url} refused Accept ${accept} with ${what}, so it is not ${API_NAME[flavor]}`,
      flavor === 'atlas'
        ? `This server does not serve the Atlas API version 2023-01-01: if it is Ops Manager or Cloud Manager, set flavor "ops-manager"; otherwise set the base URL to https://cloud.mongodb.com.`
        : `Ops Manager expects Accept application/json; check that the base URL is your Ops Manager's origin, or set flavor "atlas" for Atlas.`,
      orgId,
    );
  }
  if (status === 410 || errorCode === 'VERSION_GONE') {
    return fail(
      name,
      `${url} answered ${what}: API version 2023-01-01 has been retired there`,
      'Upgrade atlas-key-worker to a release that speaks a current Atlas API version.',
      orgId,
    );
  }
  if (status >= 300 && status < 400) {
    const to = answer.location === undefined ? 'elsewhere' : showValue(hostOf(answer.location));
    return fail(name, `wrong base URL: ${url} redirects (${status}) to ${to}: a login page or a proxy, not the API`, pointAtApi(origin, flavor), orgId);
  }
  if (status === 404) {
    return fail(name, `wrong base path: nothing at ${url}/orgs/{orgId} (${what}); ${origin} does not serve ${API_NAME[flavor]} there`, pointAtApi(origin, flavor), orgId);
  }
  if (contentType === 'text/html' || contentType === 'application/xhtml+xml') {
    return fail(name, `wrong base URL: ${url} answered ${status} with an HTML page, not ${API_NAME[flavor]}`, pointAtApi(origin, flavor), orgId);
  }
  if (status >= 200 && status < 300) {
    return fail(name, `wrong base URL: ${url} answered ${status} to a request without credentials; the API would have asked for them`, pointAtApi(origin, flavor), orgId);
  }
  if (status === 401) {
    const challenge = answer.wwwAuthenticate ?? '';
    if (/^\s*digest\s/i.test(challenge) || /(^|,\s*)digest\s/i.test(challenge)) {
      const realm = /realm="([^"]*)"/i.exec(challenge)?.[1];
      if (realm !== undefined && realm !== DIGEST_REALM) {
        return warn(
          name,
          `${url} asks for Digest authentication with realm ${showValue(realm)}, not "${DIGEST_REALM}": perhaps a proxy in front of the API`,
          `Check that ${origin} is the API itself; the worker's calls will be authenticated against whatever answers there.`,
          orgId,
        );
      }
      return pass(name, `${url} answers like ${API_NAME[flavor]}: Accept ${accept} accepted, Digest challenge (realm "${DIGEST_REALM}")`, orgId);
    }
    if (atlasError) return pass(name, `${url} answers like ${API_NAME[flavor]}: Accept ${accept} accepted, ${what} without credentials`, orgId);
    const scheme = challenge.trim().split(/\s+/, 1)[0] || 'no';
    return fail(
      name,
      `wrong base URL: ${url} asks for ${showValue(scheme)} authentication, not Digest: something other than the API answers there`,
      pointAtApi(origin, flavor),
      orgId,
    );
  }
  if (status === 429) return warn(name, `${url} is rate limiting (${what}); it answered like the API`, 'Run the check again in a minute.', orgId);
  if (status >= 500) {
    return fail(
      name,
      `${url} answered ${what}: a server error`,
      `Run the check again later; if it persists, check ${flavor === 'atlas' ? 'https://status.mongodb.com' : 'the Ops Manager server'}.`,
      orgId,
    );
  }
  if (atlasError) return pass(name, `${url} answers like ${API_NAME[flavor]}: Accept ${accept} accepted, ${what} without credentials`, orgId);
  return fail(name, `wrong base URL: ${url} answered ${what}, not like ${API_NAME[flavor]}`, pointAtApi(origin, flavor), orgId);
}

function hostOf(location: string): string {
  try {
    return new URL(location).host;
  } catch {
    return location.slice(0, 60);
  }
}
