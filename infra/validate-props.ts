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
