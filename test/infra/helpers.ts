import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { type ISecret, Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { AtlasKeyWorker, type AtlasKeyWorkerProps } from '../../infra/atlas-key-worker.ts';

export const ORG_ID = '5f0000000000000000000001';
export const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:atlas-key-worker/credentials-AbCdEf';

/**
 * An app that skips asset bundling (esbuild takes seconds per function); `bundling.test.ts` covers the bundle.
 */
export function testApp(context: Record<string, unknown> = {}): App {
  return new App({ context: { 'aws:cdk:bundling-stacks': [], ...context } });
}

export function testStack(app: App = testApp()): Stack {
  return new Stack(app, 'Test');
}

export function importedSecret(stack: Stack): ISecret {
  return Secret.fromSecretCompleteArn(stack, 'Secret', SECRET_ARN);
}

/** GIVEN a stack WHEN an `AtlasKeyWorker` is added with `props` (secret and policy defaulted). */
export function synthWorker(
  props: Partial<AtlasKeyWorkerProps> = {},
  stack: Stack = testStack(),
): { stack: Stack; worker: AtlasKeyWorker; template: Template } {
  const worker = new AtlasKeyWorker(stack, 'Worker', {
    secret: importedSecret(stack),
    policy: { orgs: [{ orgId: ORG_ID }] },
    ...props,
  });
  return { stack, worker, template: Template.fromStack(stack) };
}

/** Every IAM policy statement in the template. */
export function iamStatements(template: Template): Array<Record<string, unknown>> {
  return Object.values(template.findResources('AWS::IAM::Policy')).flatMap(
    (resource) => (resource as { Properties: { PolicyDocument: { Statement: Array<Record<string, unknown>> } } })
      .Properties.PolicyDocument.Statement,
  );
}

export function asArray<T>(value: T | T[] | undefined): T[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}
