import { Duration, Token } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import {
  checkEnvironmentSize,
  checkFunctionTimeout,
  checkIntegerInRange,
  checkPolicySize,
  checkSecondsInRange,
  checkVisibilityTimeout,
  checkWholeHours,
  estimateResolvedBytes,
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

describe('estimateResolvedBytes', () => {
  it('counts literals as they are, joins as their parts, other intrinsics as 128 bytes', () => {
    expect(estimateResolvedBytes('abc')).toBe(3);
    expect(estimateResolvedBytes({ Ref: 'Queue' })).toBe(128);
    expect(estimateResolvedBytes({ 'Fn::Join': ['', ['{"ip":"', { 'Fn::GetAtt': ['Eip', 'PublicIp'] }, '"}']] })).toBe(7 + 128 + 2);
    expect(estimateResolvedBytes({ 'Fn::Join': [',', ['a', 'b', 'c']] })).toBe(5);
  });
});

describe('checkEnvironmentSize', () => {
  it('accepts 4096 bytes and fails above, naming the largest variables', () => {
    expect(() => checkEnvironmentSize('env', { A: 'x'.repeat(4095) })).not.toThrow();
    expect(() => checkEnvironmentSize('env', { A: 'x'.repeat(4000), BB: { Ref: 'Q' } })).toThrow(
      'env would be about 4131 bytes, more than the 4096 bytes Lambda allows (largest: A 4001, BB 130)',
    );
  });
});

describe('checkWholeHours and checkSecondsInRange', () => {
  it('accept whole values in range and name the prop otherwise', () => {
    expect(() => checkWholeHours('h', Duration.hours(26), 2, 168)).not.toThrow();
    expect(() => checkWholeHours('h', Duration.hours(200), 2, 168)).toThrow('h must be whole hours between 2 and 168 inclusive (given 8 days 8 hours)');
    expect(() => checkSecondsInRange('s', Duration.hours(6), 300, 1_209_600)).not.toThrow();
    expect(() => checkSecondsInRange('s', Duration.millis(300_500), 300, 1_209_600)).toThrow('s must be whole seconds');
  });
});
