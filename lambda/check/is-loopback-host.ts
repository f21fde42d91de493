/** Hosts plain `http://` is allowed for (a local simulator): the same set the policy schema accepts. */
const LOOPBACK_HOST = /^(?:localhost|\[::1\]|127\.\d{1,3}\.\d{1,3}\.\d{1,3})$/;

/** `hostname` as `URL` spells it (IPv6 in brackets, lower case). */
export function isLoopbackHost(hostname: string): boolean {
  return LOOPBACK_HOST.test(hostname);
}
