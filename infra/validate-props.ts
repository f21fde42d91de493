import { type Duration, Token } from 'aws-cdk-lib';

/**
 * Pure checks for construct props. Each throws an `Error` whose message names the prop and the bad value, in
 * the style of aws-cdk ("must be between 1 and 10 inclusive (given 11)"). Values that are tokens (unknown at
 * synth time) are skipped.
 */

/** `value` must be a whole number in `[min, max]`. `undefined` passes (the default applies). */
export function checkIntegerInRange(name: string, value: number | undefined, min: number, max: number): void {
  if (value === undefined || Token.isUnresolved(value)) return;
  if (!Number.isInteger(value)) throw new Error(`${name} must be a whole number (given ${value})`);
  if (value < min || value > max) {
    throw new Error(`${name} must be between ${min} and ${max} inclusive (given ${value})`);
  }
}

/** Lambda's hard limit: 15 minutes. */
export const MAX_FUNCTION_TIMEOUT_SECONDS = 900;

/** `timeout` must be between 1 second and 15 minutes. */
export function checkFunctionTimeout(name: string, timeout: Duration): void {
  if (timeout.isUnresolved()) return;
  const millis = timeout.toMilliseconds();
  if (millis < 1000 || millis > MAX_FUNCTION_TIMEOUT_SECONDS * 1000) {
    throw new Error(`${name} must be between 1 second and 15 minutes inclusive (given ${timeout.toHumanString()})`);
  }
}

/** SQS's limit on a queue's visibility timeout: 12 hours. */
export const MAX_VISIBILITY_TIMEOUT_SECONDS = 43_200;

/**
 * The work queue's visibility timeout must be at least six times the function timeout (the AWS guidance for an
 * SQS event source: a message must not reappear while a throttled or retried invocation still holds it) and at
 * most 12 hours.
 */
export function checkVisibilityTimeout(name: string, visibilityTimeout: Duration, functionTimeout: Duration): void {
  if (visibilityTimeout.isUnresolved() || functionTimeout.isUnresolved()) return;
  const minimum = Math.ceil((6 * functionTimeout.toMilliseconds()) / 1000);
  const given = visibilityTimeout.toMilliseconds() / 1000;
  if (given < minimum) {
    throw new Error(
      `${name} must be at least 6 × the function timeout, ${minimum} seconds (given ${visibilityTimeout.toHumanString()})`,
    );
  }
  if (given > MAX_VISIBILITY_TIMEOUT_SECONDS) {
    throw new Error(`${name} must be at most 12 hours (given ${visibilityTimeout.toHumanString()})`);
  }
}

/**
 * Lambda allows 4 KB of environment variables in total. The policy is the only large one; keep it under 3 KB so
 * that the ARNs, URLs and Powertools settings fit beside it.
 */
export const MAX_POLICY_JSON_BYTES = 3072;

export function checkPolicySize(name: string, policyJson: string): void {
  const bytes = Buffer.byteLength(policyJson, 'utf8');
  if (bytes > MAX_POLICY_JSON_BYTES) {
    throw new Error(
      `${name} is ${bytes} bytes as JSON, more than the ${MAX_POLICY_JSON_BYTES} bytes that fit in the function's ` +
        'environment (Lambda allows 4 KB in total): split the orgs over several workers or shorten the patterns',
    );
  }
}

/** Lambda's limit on the function's environment: 4 KB for all keys and values together. */
export const MAX_ENVIRONMENT_BYTES = 4096;

/** What a value unknown at synth time (a queue URL, an ARN, an IP) is counted as. */
export const TOKEN_ESTIMATE_BYTES = 128;

/**
 * Estimated size of a resolved CloudFormation value: literal strings as they are, `Fn::Join` as the sum of its
 * parts, any other intrinsic (`Ref`, `Fn::GetAtt`) as `TOKEN_ESTIMATE_BYTES`.
 */
export function estimateResolvedBytes(value: unknown): number {
  if (typeof value === 'string') return Buffer.byteLength(value, 'utf8');
  if (typeof value === 'number' || typeof value === 'boolean') return String(value).length;
  const join = (value as { 'Fn::Join'?: [string, unknown[]] } | null)?.['Fn::Join'];
  if (Array.isArray(join)) {
    const [separator, parts] = join;
    return (
      parts.reduce<number>((sum, part) => sum + estimateResolvedBytes(part), 0) +
      Buffer.byteLength(separator, 'utf8') * Math.max(0, parts.length - 1)
    );
  }
  return TOKEN_ESTIMATE_BYTES;
}

/**
 * The function's environment (resolved with `Stack.resolve`) must fit in Lambda's 4 KB, counting values
 * unknown at synth time as `TOKEN_ESTIMATE_BYTES` each. The error lists the largest variables.
 */
export function checkEnvironmentSize(name: string, resolvedEnvironment: Readonly<Record<string, unknown>>): void {
  const sizes = Object.entries(resolvedEnvironment).map(
    ([key, value]) => [key, Buffer.byteLength(key, 'utf8') + estimateResolvedBytes(value)] as const,
  );
  const total = sizes.reduce((sum, [, size]) => sum + size, 0);
  if (total > MAX_ENVIRONMENT_BYTES) {
    const largest = [...sizes]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 3)
      .map(([key, size]) => `${key} ${size}`)
      .join(', ');
    throw new Error(
      `${name} would be about ${total} bytes, more than the ${MAX_ENVIRONMENT_BYTES} bytes Lambda allows ` +
        `(largest: ${largest}): split the orgs over several workers, or shorten the policy`,
    );
  }
}

/** A duration that must be whole hours in `[min, max]`. */
export function checkWholeHours(name: string, value: Duration, min: number, max: number): void {
  if (value.isUnresolved()) return;
  const hours = value.toHours({ integral: false });
  if (!Number.isInteger(hours) || hours < min || hours > max) {
    throw new Error(`${name} must be whole hours between ${min} and ${max} inclusive (given ${value.toHumanString()})`);
  }
}

/** A duration that must be whole seconds in `[min, max]`. */
export function checkSecondsInRange(name: string, value: Duration, min: number, max: number): void {
  if (value.isUnresolved()) return;
  const seconds = value.toSeconds({ integral: false });
  if (!Number.isInteger(seconds) || seconds < min || seconds > max) {
    throw new Error(
      `${name} must be whole seconds between ${min} and ${max} inclusive (given ${value.toHumanString()})`,
    );
  }
}
