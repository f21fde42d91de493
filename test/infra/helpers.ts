import { vi } from 'vitest';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { type ISecret, Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { AtlasKeyWorker, type AtlasKeyWorkerProps } from '../../infra/atlas-key-worker.ts';

export const ORG_ID = '5f0000000000000000000001';
export const REGION = 'eu-west-1';
export const ACCOUNT = '123456789012';
export const SECRET_ARN = `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:atlas-key-worker/credentials-AbCdEf`;
export const ALARM_EMAIL = 'secops@example.com';
export const REVOCATION_SOURCE = 'com.example.secret-scanner';

/**
 * An app that skips asset bundling (esbuild takes seconds per function); `bundling.test.ts` covers the bundle.
 */
export function testApp(context: Record<string, unknown> = {}): App {
  return new App({ context: { 'aws:cdk:bundling-stacks': [], ...context } });
}

/** An environment-agnostic stack, as `infra/app.ts` builds by default. */
export function testStack(app: App = testApp()): Stack {
  return new Stack(app, 'Test');
}

export function importedSecret(stack: Stack, arn = SECRET_ARN, id = 'Secret'): ISecret {
  return Secret.fromSecretCompleteArn(stack, id, arn);
}

/** The props a deployable worker needs: a secret, a policy, an alarm destination, revocation sources. */
export function requiredProps(stack: Stack): AtlasKeyWorkerProps {
  return {
    secret: importedSecret(stack),
    policy: { orgs: [{ orgId: ORG_ID }] },
    alarmEmail: ALARM_EMAIL,
    revocationSources: [REVOCATION_SOURCE],
  };
}

/** GIVEN a stack WHEN an `AtlasKeyWorker` is added with `props` over `requiredProps`. */
export function synthWorker(
  props: Partial<AtlasKeyWorkerProps> = {},
  stack: Stack = testStack(),
): { stack: Stack; worker: AtlasKeyWorker; template: Template } {
  return synthWorkerWith({ ...requiredProps(stack), ...props }, stack);
}

/** GIVEN a stack WHEN an `AtlasKeyWorker` is added with exactly `props` (nothing filled in). */
export function synthWorkerWith(
  props: AtlasKeyWorkerProps,
  stack: Stack = testStack(),
): { stack: Stack; worker: AtlasKeyWorker; template: Template } {
  const worker = new AtlasKeyWorker(stack, 'Worker', props);
  return { stack, worker, template: Template.fromStack(stack) };
}

/** Every IAM policy statement in the template, with the logical id of its policy. */
export function iamStatements(template: Template): Array<Record<string, unknown> & { policyId: string }> {
  return Object.entries(template.findResources('AWS::IAM::Policy')).flatMap(([policyId, resource]) =>
    (
      resource as { Properties: { PolicyDocument: { Statement: Array<Record<string, unknown>> } } }
    ).Properties.PolicyDocument.Statement.map((statement) => ({ ...statement, policyId })),
  );
}

export function asArray<T>(value: T | T[] | undefined): T[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

/** The environment variables of the function whose logical id is `functionId` (or the first function). */
export function environmentOf(template: Template, functionId?: string): Record<string, unknown> {
  const functions = template.findResources('AWS::Lambda::Function');
  const fn = functionId === undefined ? Object.values(functions)[0] : functions[functionId];
  return (fn?.Properties.Environment.Variables ?? {}) as Record<string, unknown>;
}

// A CDK synthesis takes seconds, and far longer on a loaded machine: no infra test may fail for that.
vi.setConfig({ testTimeout: 300_000, hookTimeout: 300_000 });

/**
 * A function's `KEY_POLICY` as the function will read it: with static egress it is a `Fn::Join` whose tokens are
 * the egress IPs, rendered here as a documentation address.
 */
export function keyPolicyText(template: Template, functionId?: string): string {
  const value = environmentOf(template, functionId).KEY_POLICY;
  if (typeof value === 'string') return value;
  const [separator, parts] = (value as { 'Fn::Join': [string, unknown[]] })['Fn::Join'];
  return parts.map((part) => (typeof part === 'string' ? part : '203.0.113.10')).join(separator);
}

/** The template paths that differ, cut at each function's `KEY_POLICY` (its inside may be a `Fn::Join`). */
export function changedSettings(paths: readonly string[]): string[] {
  return [...new Set(paths.map((path) => path.replace(/(\.KEY_POLICY)\..*$/, '$1')))].sort();
}
