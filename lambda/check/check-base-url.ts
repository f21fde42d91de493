import { PATH_PREFIX } from '../atlas/constants.ts';
import type { Flavor } from '../atlas/types.ts';
import { showValue } from '../commands/show-value.ts';
import { fail, pass, warn } from './check-result.ts';
import { CHECK_NAMES } from './constants.ts';
import { isLoopbackHost } from './is-loopback-host.ts';
import type { CheckResult } from './types.ts';

export interface BaseUrlVerdict {
  readonly result: CheckResult;
  /** The origin the worker will call; absent when nothing may be sent there (credentials would leak). */
  readonly origin?: string;
}

/**
 * The base URL as configured, before anything is sent: absolute, no credentials in it, `https` (plain `http`
 * only to a loopback host: elsewhere a service account's secret would cross the network in clear text). A path
 * is not an error but is ignored by the worker, which adds the API prefix itself: said as a warning.
 */
export function checkBaseUrl(text: string, flavor: Flavor, where: string, orgId: string): BaseUrlVerdict {
  const name = CHECK_NAMES.baseUrl;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return {
      result: fail(name, `${where} is not an absolute URL: ${showValue(text)}`, `Set ${where} to the API origin, e.g. https://cloud.mongodb.com.`, orgId),
    };
  }
  if (url.username !== '' || url.password !== '') {
    // Never shown: the URL carries credentials.
    return {
      result: fail(name, `${where} contains a user name or password`, `Remove the user:password@ part from ${where}; credentials belong in the secret.`, orgId),
    };
  }
  const shown = `${url.protocol}//${url.host}`;
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
    return {
      result: fail(
        name,
        `${where} is ${shown}: plain http to a host that is not loopback would send the key's Digest response or the service account's client secret in clear text`,
        `Use https://${url.host} in ${where} (plain http is accepted only for 127.0.0.1, localhost and [::1]).`,
        orgId,
      ),
    };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    return {
      result: fail(name, `${where} uses ${showValue(url.protocol)}, not https`, `Use an https:// origin in ${where}, e.g. https://cloud.mongodb.com.`, orgId),
    };
  }
  const origin = url.origin;
  const prefix = PATH_PREFIX[flavor];
  if ((url.pathname !== '/' && url.pathname !== '') || url.search !== '' || url.hash !== '') {
    return {
      origin,
      result: warn(
        name,
        `${where} has a path (${showValue(url.pathname + url.search)}) that the worker ignores: it calls ${origin}${prefix}`,
        `Set ${where} to the origin only (${origin}); the worker adds ${prefix} itself.`,
        orgId,
      ),
    };
  }
  const scheme = url.protocol === 'http:' ? 'plain http, allowed for a loopback host' : 'https';
  return { origin, result: pass(name, `${origin} (${scheme}); the worker calls ${origin}${prefix}`, orgId) };
}
