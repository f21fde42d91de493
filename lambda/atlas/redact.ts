/**
 * Scrubs credentials out of any text that may end up in an error, a log line or an event. Known secret values
 * (private keys, client secrets, access tokens) are registered by the auth layer; header-shaped credentials are
 * caught by pattern even when their value was never registered.
 */

const MASK = '[REDACTED]';
const secrets = new Set<string>();

/** Values shorter than this are not registered: masking them would mangle ordinary text. */
const MIN_SECRET_LENGTH = 6;

const PATTERNS: readonly RegExp[] = [
  // Authorization / Proxy-Authorization values, whatever the scheme: the rest of the line goes (better too much).
  /((?:proxy-)?authorization)(["']?\s*[:=]\s*)[^\r\n]*/gi,
  // A scheme and its credentials wherever they appear on their own. Digest credentials are `key=value` lists,
  // so prose such as "The Digest nonce expired" stays readable.
  /\b(Digest)\s+(?=[A-Za-z-]+=)[^\r\n]*/g,
  /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/gi,
  // Token-endpoint replies and form bodies.
  /("?(?:access_token|client_secret|refresh_token|privateKey|password)"?\s*[:=]\s*)("[^"]*"|[^\s&,}]+)/gi,
];

export function registerSecret(value: string): void {
  if (value.length >= MIN_SECRET_LENGTH) secrets.add(value);
}

export function unregisterSecret(value: string): void {
  secrets.delete(value);
}

export function redact(text: string): string {
  let result = text;
  for (const secret of secrets) result = result.split(secret).join(MASK);
  result = result.replace(PATTERNS[0]!, `$1$2${MASK}`);
  result = result.replace(PATTERNS[1]!, `$1 ${MASK}`);
  result = result.replace(PATTERNS[2]!, `$1 ${MASK}`);
  result = result.replace(PATTERNS[3]!, `$1${MASK}`);
  return result;
}

/**
 * A copy of `cause` safe to attach to an error: same name, code and (redacted) message and stack, nothing else.
 * The original may carry request options or headers (undici errors sometimes do).
 */
export function sanitizeCause(cause: unknown): Error | undefined {
  if (cause === undefined || cause === null) return undefined;
  if (!(cause instanceof Error)) return new Error(redact(String(cause)));
  const copy = new Error(redact(cause.message));
  copy.name = cause.name;
  const code = (cause as { code?: unknown }).code;
  if (typeof code === 'string' || typeof code === 'number') Object.assign(copy, { code });
  if (cause.stack !== undefined) copy.stack = redact(cause.stack);
  const inner = sanitizeCause(cause.cause);
  if (inner !== undefined) Object.assign(copy, { cause: inner });
  return copy;
}
