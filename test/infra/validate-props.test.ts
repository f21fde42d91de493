import { Duration, Token } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import {
  checkFunctionTimeout,
  checkIntegerInRange,
  checkPolicySize,
  checkVisibilityTimeout,
} from '../../infra/validate-props.ts';

describe('checkIntegerInRange', () => {
  it('accepts the bounds and undefined', () => {
    expect(() => checkIntegerInRange('n', 1, 1, 10)).not.toThrow();
    expect(() => checkIntegerInRange('n', 10, 1, 10)).not.toThrow();
    expect(() => checkIntegerInRange('n', undefined, 1, 10)).not.toThrow();
  });

  it('skips values unknown at synth time', () => {
    expect(() => checkIntegerInRange('n', Token.asNumber({ Ref: 'P' }), 1, 10)).not.toThrow();
  });

  it('fails if the value is out of range, with the value in the message', () => {
    expect(() => checkIntegerInRange('batchSize', 11, 1, 10)).toThrow('batchSize must be between 1 and 10 inclusive (given 11)');
    expect(() => checkIntegerInRange('batchSize', 0, 1, 10)).toThrow('(given 0)');
  });

  it('fails if the value is not a whole number', () => {
    expect(() => checkIntegerInRange('batchSize', 1.5, 1, 10)).toThrow('batchSize must be a whole number (given 1.5)');
    expect(() => checkIntegerInRange('batchSize', Number.NaN, 1, 10)).toThrow('(given NaN)');
  });
});

describe('checkFunctionTimeout', () => {
  it('accepts 1 second to 15 minutes', () => {
    expect(() => checkFunctionTimeout('timeout', Duration.seconds(1))).not.toThrow();
    expect(() => checkFunctionTimeout('timeout', Duration.minutes(15))).not.toThrow();
  });

  it('fails if the timeout is over 15 minutes', () => {
    expect(() => checkFunctionTimeout('timeout', Duration.seconds(901))).toThrow(
      'timeout must be between 1 second and 15 minutes inclusive (given 15 minutes 1 second)',
    );
  });

  it('fails if the timeout is under 1 second', () => {
    expect(() => checkFunctionTimeout('timeout', Duration.millis(500))).toThrow('(given 500 millis)');
  });
});

describe('checkVisibilityTimeout', () => {
  it('accepts exactly 6 × the function timeout', () => {
    expect(() => checkVisibilityTimeout('v', Duration.minutes(90), Duration.minutes(15))).not.toThrow();
  });

  it('fails if it is shorter than 6 × the function timeout', () => {
    expect(() => checkVisibilityTimeout('v', Duration.minutes(89), Duration.minutes(15))).toThrow(
      'v must be at least 6 × the function timeout, 5400 seconds (given 1 hour 29 minutes)',
    );
  });

  it('fails if it is over 12 hours', () => {
    expect(() => checkVisibilityTimeout('v', Duration.hours(13), Duration.minutes(15))).toThrow(
      'v must be at most 12 hours (given 13 hours)',
    );
  });
});

describe('checkPolicySize', () => {
  it('accepts 3072 bytes and fails above, counting UTF-8 bytes', () => {
    expect(() => checkPolicySize('policy', 'x'.repeat(3072))).not.toThrow();
    expect(() => checkPolicySize('policy', 'é'.repeat(1537))).toThrow(/policy is 3074 bytes as JSON/);
  });
});
