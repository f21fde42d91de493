/**
 * Scrubs AWS credential material from text bound for an error: access key ids, SigV4 credential scopes and
 * signatures, session tokens and secret keys. SDK errors can quote the canonical request or string-to-sign.
 */
const MASK = '[REDACTED]';

const PATTERNS: readonly [RegExp, string][] = [
  [/\b(?:AKIA|ASIA|AROA|AIDA|ABIA|ACCA)[A-Z0-9]{12,}\b/g, MASK],
  [/(Credential=)[^,\s"']+/gi, `$1${MASK}`],
  [/(Signature=)[0-9a-f]+/gi, `$1${MASK}`],
  [/(X-Amz-Security-Token["']?\s*[:=]\s*["']?)[^\s"'&,}]+/gi, `$1${MASK}`],
  [/((?:aws_)?(?:secret_?access_?key|session_?token)["']?\s*[:=]\s*["']?)[^\s"'&,}]+/gi, `$1${MASK}`],
  [/(authorization["']?\s*[:=]\s*)[^\r\n]*/gi, `$1${MASK}`],
];

export function redactAws(text: string): string {
  let result = text;
  for (const [pattern, replacement] of PATTERNS) result = result.replace(pattern, replacement);
  return result;
}

/**
 * A copy of `cause` that is safe to attach to an error: name, redacted message and stack, the HTTP status.
 * SDK errors also carry `$response` and request metadata, which are dropped.
 */
export function sanitizeCause(cause: unknown, depth = 0): Error | undefined {
  if (cause === undefined || cause === null) return undefined;
  if (!(cause instanceof Error)) return new Error(redactAws(String(cause)));
  const copy = new Error(redactAws(cause.message));
  copy.name = cause.name;
  copy.stack = cause.stack === undefined ? `${copy.name}: ${copy.message}` : redactAws(cause.stack);
  const status = (cause as { $metadata?: { httpStatusCode?: unknown } }).$metadata?.httpStatusCode;
  if (typeof status === 'number') Object.assign(copy, { httpStatusCode: status });
  const inner = depth < 3 ? sanitizeCause(cause.cause, depth + 1) : undefined;
  if (inner !== undefined) Object.assign(copy, { cause: inner });
  return copy;
}
