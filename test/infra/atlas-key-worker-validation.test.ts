import { App, Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { describe, expect, it } from 'vitest';
import { ACCOUNT, importedSecret, ORG_ID, REGION, SECRET_ARN, synthWorker, testStack } from './helpers.ts';

describe('AtlasKeyWorker: props validation', () => {
  const org = { orgId: ORG_ID };

  describe('policy', () => {
    it('fails if the policy has a bad org id, naming the field', () => {
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

    it('fails if an org’s base URL is plain http to a non-loopback host', () => {
      expect(() => synthWorker({ policy: { orgs: [{ orgId: ORG_ID, baseUrl: 'http://opsmanager.example.com' }] } })).toThrow(
        /policy: orgs\.0\.baseUrl must use https:\/\//,
      );
    });

    it('fails if the policy does not fit in the environment', () => {
      const orgs = Array.from({ length: 120 }, (_, index) => ({ orgId: index.toString(16).padStart(24, '0') }));
      expect(() => synthWorker({ policy: { orgs } })).toThrow(/policy is \d+ bytes as JSON, more than the 3072 bytes/);
    });

    it('fails if the policy and the rotation settings together overflow Lambda’s 4 KB environment', () => {
      // GIVEN a policy of 2.7 KB, under its own limit, and seven rotated secrets
      const stack = testStack();
      const orgs = Array.from({ length: 20 }, (_, index) => ({
        orgId: index.toString(16).padStart(24, '0'),
        secretId: `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:org-${index}-AbCdEf`,
      }));
      const secrets = orgs.slice(0, 7).map((own, index) => ({
        secret: Secret.fromSecretCompleteArn(stack, `Rotated${index}`, own.secretId),
        orgId: own.orgId,
      }));
      // WHEN / THEN
      expect(() =>
        synthWorker({ policy: { orgs }, rotation: { secrets, every: Duration.days(30) } }, stack),
      ).toThrow(/the functions’ environment would be about \d+ bytes, more than the 4096 bytes Lambda allows \(largest: KEY_POLICY/);
    });
  });

  describe('secret', () => {
    it('fails if the secret was imported by name (its ARN is partial), showing how to find the ARN', () => {
      const stack = testStack();
      const byName = Secret.fromSecretNameV2(stack, 'ByName', 'atlas-key-worker/credentials');
      expect(() => synthWorker({ secret: byName }, stack)).toThrow(
        /secret has no complete ARN \(it was imported by name\): import it with Secret.fromSecretCompleteArn.*describe-secret/,
      );
    });

    it('fails if the secret lives in another region than the stack', () => {
      const stack = new Stack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'Pinned', {
        env: { account: ACCOUNT, region: 'us-east-1' },
      });
      expect(() => synthWorker({ secret: importedSecret(stack, SECRET_ARN, 'PinnedSecret') }, stack)).toThrow(
        `secret lives in ${REGION} but the stack deploys to us-east-1`,
      );
    });

    it('accepts a secret in the stack’s own region', () => {
      const stack = new Stack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'Pinned', {
        env: { account: ACCOUNT, region: REGION },
      });
      expect(synthWorker({ secret: importedSecret(stack, SECRET_ARN, 'PinnedSecret') }, stack).worker.secretArn).toBe(SECRET_ARN);
    });
  });

  describe('revocation rule', () => {
    it('fails if the rule is enabled without revocationSources, naming the prop and the way out', () => {
      expect(() => synthWorker({ revocationSources: [] })).toThrow(
        /revocationSources is required while the revocation rule is enabled.*or set revocationRule: false/,
      );
    });

    it('fails if a source is not an EventBridge source, or listed twice', () => {
      expect(() => synthWorker({ revocationSources: ['com.example *'] })).toThrow(
        'revocationSources.0 must be an EventBridge source: 1 to 256 printable ASCII characters, no spaces or wildcards (given "com.example *")',
      );
      expect(() => synthWorker({ revocationSources: ['a.b', 'a.b'] })).toThrow('revocationSources.1 is listed twice (given "a.b")');
    });
  });

  describe('numbers', () => {
    it.each([
      [{ reservedConcurrency: 0 }, 'reservedConcurrency must be between 1 and 1000 inclusive (given 0)'],
      [{ reservedConcurrency: 2.5 }, 'reservedConcurrency must be a whole number (given 2.5)'],
      [{ batchSize: 11 }, 'batchSize must be between 1 and 10 inclusive (given 11)'],
      [{ maxConcurrency: 1 }, 'maxConcurrency must be between 2 and 1000 inclusive (given 1)'],
      [{ urgentReservedConcurrency: 1 }, 'urgentReservedConcurrency must be between 2 and 1000 inclusive (given 1)'],
      [{ memorySize: 64 }, 'memorySize must be between 128 and 10240 inclusive (given 64)'],
      [{ timeout: Duration.minutes(16) }, 'timeout must be between 1 second and 15 minutes inclusive (given 16 minutes)'],
      [{ urgentTimeout: Duration.seconds(5) }, 'urgentTimeout must be at least 10 seconds (given 5 seconds)'],
      [
        { urgentTimeout: Duration.minutes(2) },
        'urgentTimeout of 2 minutes lets a failing revocation reach its alarm after 920 seconds, more than 600: keep it at most 66 seconds',
      ],
      [
        { timeout: Duration.minutes(5), queueVisibilityTimeout: Duration.minutes(10) },
        'queueVisibilityTimeout must be at least 6 × the function timeout, 1800 seconds (given 10 minutes)',
      ],
      [{ metricsNamespace: 'Atlas Key Worker' }, 'metricsNamespace must be 1 to 255 letters, digits or . - _ / # : (given "Atlas Key Worker")'],
    ] as const)('fails if %o', (props, message) => {
      expect(() => synthWorker(props)).toThrow(message);
    });

    it('accepts the bounds, and derives the visibility timeouts from the timeouts', () => {
      const { template } = synthWorker({
        reservedConcurrency: 1000,
        batchSize: 10,
        maxConcurrency: 2,
        timeout: Duration.minutes(1),
        urgentTimeout: Duration.seconds(66),
      });
      template.hasResourceProperties('AWS::SQS::Queue', { FifoQueue: true, VisibilityTimeout: 360, RedrivePolicy: Match.anyValue() });
      template.hasResourceProperties('AWS::SQS::Queue', { VisibilityTimeout: 132, RedrivePolicy: Match.anyValue() });
      template.hasResourceProperties('AWS::Lambda::EventSourceMapping', { BatchSize: 10 });
    });

    it('warns when the SQS pollers can take all the reserved concurrency', () => {
      const { stack } = synthWorker({ reservedConcurrency: 2, maxConcurrency: 2 });
      Annotations.fromStack(stack).hasWarning('/Test/Worker', Match.stringLikeRegexp('leaves no reserved concurrency'));
    });
  });
});
