import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { AtlasKeyWorkerStack } from './atlas-key-worker-stack.ts';
import { readStackSettings } from './stack-settings.ts';

/**
 * The CDK app: one stack configured from context (`cdk.json`, `-c key=value`), checked by cdk-nag's
 * AwsSolutions pack as a synthesis validation plugin. Environment-agnostic unless `account` and `region` are
 * given in context; it does no lookups, so `cdk synth` works offline.
 */
const app = new App();
const context = (key: string): unknown => app.node.tryGetContext(key);
const account = context('account');
const region = context('region');

new AtlasKeyWorkerStack(app, String(context('stackName') ?? 'AtlasKeyWorker'), {
  description: 'Removes stale MongoDB Atlas programmatic API keys',
  settings: readStackSettings(context),
  ...(typeof account === 'string' && typeof region === 'string' ? { env: { account, region } } : {}),
});

Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
app.synth();
