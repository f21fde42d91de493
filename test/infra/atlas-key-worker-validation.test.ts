import { Duration } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { ORG_ID, synthWorker } from './helpers.ts';

describe('AtlasKeyWorker: props validation', () => {
  const org = { orgId: ORG_ID };

  it('fails if the policy has a bad org id, naming the field', () => {
    // WHEN / THEN
    expect(() => synthWorker({ policy: { orgs: [{ orgId: 'not-an-id' }] } })).toThrow(
      /policy: orgs\.0\.orgId must be 24 lowercase hexadecimal digits/,
    );
  });

  it('fails if the policy lists no org', () => {
    expect(() => synthWorker({ policy: { orgs: [] } })).toThrow(/policy: orgs must list at least one organization/);
  });

  it('fails if deleteAfterIdleDays is less than unassignAfterIdleDays', () => {
    expect(() =>
      synthWorker({ policy: { orgs: [org], unassignAfterIdleDays: 90, deleteAfterIdleDays: 30 } }),
    ).toThrow(/deleteAfterIdleDays must be ≥ unassignAfterIdleDays \(90\), given 30/);
  });

  it('fails if the policy has an unknown field', () => {
    expect(() => synthWorker({ policy: { orgs: [org], deleteAfterDays: 30 } as never })).toThrow(/deleteAfterDays/);
  });

  it('fails if the policy does not fit in the environment', () => {
    const orgs = Array.from({ length: 120 }, (_, index) => ({ orgId: index.toString(16).padStart(24, '0') }));
    expect(() => synthWorker({ policy: { orgs } })).toThrow(/policy is \d+ bytes as JSON, more than the 3072 bytes/);
  });

  it('fails if reservedConcurrency is 0', () => {
    expect(() => synthWorker({ reservedConcurrency: 0 })).toThrow(
      'reservedConcurrency must be between 1 and 1000 inclusive (given 0)',
    );
  });

  it('fails if reservedConcurrency is not a whole number', () => {
    expect(() => synthWorker({ reservedConcurrency: 2.5 })).toThrow('reservedConcurrency must be a whole number (given 2.5)');
  });

  it('fails if batchSize is 11', () => {
    expect(() => synthWorker({ batchSize: 11 })).toThrow('batchSize must be between 1 and 10 inclusive (given 11)');
  });

  it('fails if maxConcurrency is 1', () => {
    expect(() => synthWorker({ maxConcurrency: 1 })).toThrow('maxConcurrency must be between 2 and 1000 inclusive (given 1)');
  });

  it('fails if memorySize is 64', () => {
    expect(() => synthWorker({ memorySize: 64 })).toThrow('memorySize must be between 128 and 10240 inclusive (given 64)');
  });

  it('fails if timeout is over 15 minutes', () => {
    expect(() => synthWorker({ timeout: Duration.minutes(16) })).toThrow(
      'timeout must be between 1 second and 15 minutes inclusive (given 16 minutes)',
    );
  });

  it('fails if the queue visibility timeout is under 6 × the function timeout', () => {
    expect(() =>
      synthWorker({ timeout: Duration.minutes(5), queueVisibilityTimeout: Duration.minutes(10) }),
    ).toThrow('queueVisibilityTimeout must be at least 6 × the function timeout, 1800 seconds (given 10 minutes)');
  });

  it('fails if the metrics namespace has characters CloudWatch rejects', () => {
    expect(() => synthWorker({ metricsNamespace: 'Atlas Key Worker' })).toThrow(
      /metricsNamespace must be 1 to 255 .* \(given "Atlas Key Worker"\)/,
    );
  });

  it('accepts the bounds, and derives the visibility timeout from the timeout', () => {
    // WHEN
    const { template } = synthWorker({
      reservedConcurrency: 1000,
      batchSize: 10,
      maxConcurrency: 2,
      timeout: Duration.minutes(1),
    });
    // THEN
    template.hasResourceProperties('AWS::SQS::Queue', { VisibilityTimeout: 360, RedrivePolicy: Match.anyValue() });
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', { BatchSize: 10 });
  });

  it('warns when the SQS pollers can take all the reserved concurrency', () => {
    // WHEN
    const { stack } = synthWorker({ reservedConcurrency: 2, maxConcurrency: 2 });
    // THEN
    Annotations.fromStack(stack).hasWarning('/Test/Worker', Match.stringLikeRegexp('leaves no reserved concurrency'));
  });
});
