import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { AtlasKeyWorkerStack } from '../../infra/atlas-key-worker-stack.ts';
import { readStackSettings } from '../../infra/stack-settings.ts';

export interface CfnResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
}

/** The parts of a synthesized CloudFormation template this file reads. */
export interface CfnTemplate {
  readonly Resources: Record<string, CfnResource>;
}

/** A function of the template, with what Lambda would run. */
export interface DeployedFunction {
  readonly logicalId: string;
  /** The bundle file Lambda loads for the function's `Handler` (`index.handler` → `<asset>/index.mjs`). */
  readonly bundlePath: string;
  /** The asset directory (Lambda's `/var/task`). */
  readonly assetDirectory: string;
  readonly handlerExport: string;
  readonly runtime: string;
  readonly timeoutSeconds: number;
  readonly memoryMb: number;
  /** `Environment.Variables` as synthesized: strings, or intrinsics CloudFormation fills in at deploy time. */
  readonly environment: Readonly<Record<string, unknown>>;
}

/** A synthesized cloud assembly: its directory, the stack's template. */
export interface Synthesized {
  readonly directory: string;
  readonly stackName: string;
  readonly template: CfnTemplate;
}

/**
 * Synthesizes the stack as `cdk synth` runs `infra/app.ts` (same stack class, same context reader), into
 * `outdir`, bundling for real with the local esbuild. Offline: the app does no lookups. (cdk-nag's validation
 * plugins are left out: they inspect the template, not the bundle, and other tests run them.)
 */
export function synthesize(outdir: string, context: Readonly<Record<string, string>>, stackName = 'AtlasKeyWorker'): Synthesized {
  const app = new App({ outdir, context: { ...context } });
  new AtlasKeyWorkerStack(app, stackName, { settings: readStackSettings((key) => context[key]) });
  const assembly = app.synth();
  return { directory: assembly.directory, stackName, template: assembly.getStackByName(stackName).template as CfnTemplate };
}

/** The function `logicalId`, its bundle found through the asset manifest (S3 object key → staged directory). */
export function deployedFunction(synthesized: Synthesized, logicalId: string): DeployedFunction {
  const properties = resourceOf(synthesized.template, logicalId, 'AWS::Lambda::Function').Properties ?? {};
  const code = properties['Code'] as { S3Key?: unknown };
  const manifest = JSON.parse(readFileSync(join(synthesized.directory, `${synthesized.stackName}.assets.json`), 'utf8')) as {
    files: Record<string, { source: { path: string }; destinations: Record<string, { objectKey: string }> }>;
  };
  const asset = Object.values(manifest.files).find((file) => Object.values(file.destinations).some((d) => d.objectKey === code.S3Key));
  if (asset === undefined) throw new Error(`${logicalId}: no asset in the manifest has object key ${String(code.S3Key)}`);
  const assetDirectory = join(synthesized.directory, asset.source.path);
  const handler = String(properties['Handler']);
  const dot = handler.lastIndexOf('.');
  // Lambda's Node.js runtime resolves the handler's module as .mjs, .js or .cjs, in that order.
  const bundlePath = ['.mjs', '.js', '.cjs']
    .map((extension) => join(assetDirectory, `${handler.slice(0, dot)}${extension}`))
    .find((path) => existsSync(path));
  if (bundlePath === undefined) throw new Error(`${logicalId}: no module for handler ${handler} in ${assetDirectory}`);
  return {
    logicalId,
    bundlePath,
    assetDirectory,
    handlerExport: handler.slice(dot + 1),
    runtime: String(properties['Runtime']),
    timeoutSeconds: Number(properties['Timeout'] ?? 3),
    memoryMb: Number(properties['MemorySize'] ?? 128),
    environment: ((properties['Environment'] as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {}),
  };
}

/** Logical ids of the queues that feed a function (through an event source mapping). */
export function queuesConsumed(template: CfnTemplate): string[] {
  return Object.values(template.Resources)
    .filter((resource) => resource.Type === 'AWS::Lambda::EventSourceMapping')
    .map((resource) => logicalIdOf(resource.Properties?.['EventSourceArn'], 'Fn::GetAtt') ?? '');
}

/** The function an SQS queue feeds (its event source mapping), with the mapping's batch size. */
export function consumerOf(template: CfnTemplate, queueId: string): { functionId: string; batchSize: number } {
  const mappings = Object.values(template.Resources).filter(
    (resource) =>
      resource.Type === 'AWS::Lambda::EventSourceMapping' &&
      logicalIdOf(resource.Properties?.['EventSourceArn'], 'Fn::GetAtt') === queueId,
  );
  if (mappings.length !== 1) throw new Error(`queue ${queueId} feeds ${mappings.length} functions, expected 1`);
  const properties = mappings[0]?.Properties ?? {};
  return { functionId: logicalIdOf(properties['FunctionName'], 'Ref') ?? '', batchSize: Number(properties['BatchSize'] ?? 10) };
}

/** Logical ids of every target of the rules that match `select` (a schedule, an event pattern). */
export function ruleTargets(template: CfnTemplate, select: (properties: Record<string, unknown>) => boolean): string[] {
  return Object.values(template.Resources)
    .filter((resource) => resource.Type === 'AWS::Events::Rule' && select(resource.Properties ?? {}))
    .flatMap((resource) => ((resource.Properties?.['Targets'] ?? []) as Array<{ Arn: unknown }>).map((target) => logicalIdOf(target.Arn, 'Fn::GetAtt') ?? ''));
}

/**
 * The environment as CloudFormation would deploy it: every `Ref` replaced by the physical id `physicalId` gives
 * its resource. Any other intrinsic fails, naming the variable.
 */
export function deployedEnvironment(
  template: CfnTemplate,
  environment: Readonly<Record<string, unknown>>,
  physicalId: (logicalId: string, resource: CfnResource) => string,
): Record<string, string> {
  return Object.fromEntries(
    Object.entries(environment).map(([name, value]) => {
      if (typeof value === 'string') return [name, value];
      const ref = logicalIdOf(value, 'Ref');
      if (ref === undefined) throw new Error(`${name}: cannot make ${JSON.stringify(value)} concrete`);
      return [name, physicalId(ref, resourceOf(template, ref))];
    }),
  );
}

export function resourceOf(template: CfnTemplate, logicalId: string, type?: string): CfnResource {
  const resource = template.Resources[logicalId];
  if (resource === undefined || (type !== undefined && resource.Type !== type)) {
    throw new Error(`no ${type ?? 'resource'} ${logicalId} in the template`);
  }
  return resource;
}

/** The logical id in `{Ref: id}` or `{"Fn::GetAtt": [id, attribute]}`. */
function logicalIdOf(value: unknown, intrinsic: 'Ref' | 'Fn::GetAtt'): string | undefined {
  const inner = (value as Record<string, unknown> | null | undefined)?.[intrinsic];
  if (intrinsic === 'Ref') return typeof inner === 'string' ? inner : undefined;
  return Array.isArray(inner) && typeof inner[0] === 'string' ? inner[0] : undefined;
}
