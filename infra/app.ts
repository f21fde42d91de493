import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { AtlasKeyWorkerStack } from './atlas-key-worker-stack.ts';
import { readStackSettings } from './stack-settings.ts';

/**
 * The CDK app: one stack configured from context (`-c key=value`; `cdk.json` holds no defaults that could
 * override them), checked by cdk-nag's AwsSolutions and Serverless packs as synthesis validation plugins.
 * Environment-agnostic unless `account` and `region` are given in context; it does no lookups, so `cdk synth`
 * works offline.
 */
const app = new App();
const context = (key: string): unknown => app.node.tryGetContext(key);
const account = context('account');
const region = context('region');

new AtlasKeyWorkerStack(app, String(context('stackName') ?? 'AtlasKeyWorker'), {
  description: 'Removes stale MongoDB Atlas programmatic API keys and rotates Atlas credentials',
  settings: readStackSettings(context),
  ...(typeof account === 'string' && typeof region === 'string' ? { env: { account, region } } : {}),
});

Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app));
app.synth();
