import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { App, Stack } from 'aws-cdk-lib';
import { beforeAll, describe, expect, it } from 'vitest';
import { AtlasKeyWorker } from '../../infra/atlas-key-worker.ts';
import { requiredProps } from './helpers.ts';

describe('AtlasKeyWorker: bundling', () => {
  // GIVEN an app that bundles for real (local esbuild, no Docker), built once
  let bundle: string;
  let bundlePath: string;
  let environment: Record<string, unknown>;
  beforeAll(() => {
    const app = new App();
    const stack = new Stack(app, 'Bundled');
    new AtlasKeyWorker(stack, 'Worker', requiredProps(stack));
    // WHEN
    const assembly = app.synth();
    // THEN the worker and the urgent-lane functions share one bundle
    const assets = readdirSync(assembly.directory).filter((name) => name.startsWith('asset.'));
    expect(assets).toHaveLength(1);
    bundlePath = join(assembly.directory, assets[0] ?? '', 'index.mjs');
    bundle = readFileSync(bundlePath, 'utf8');
    const template = assembly.getStackByName('Bundled').template as {
      Resources: Record<string, { Type: string; Properties: { Environment?: { Variables: Record<string, unknown> } } }>;
    };
    environment =
      Object.values(template.Resources).find((resource) => resource.Type === 'AWS::Lambda::Function')?.Properties
        .Environment?.Variables ?? {};
  }, 600_000);

  it('emits one minified ES module with a source map', () => {
    expect(existsSync(`${bundlePath}.map`)).toBe(true);
    expect(bundle.trimEnd().endsWith('//# sourceMappingURL=index.mjs.map')).toBe(true);
    // Minified: identifiers shortened, so few long lines (template literals and licences keep their newlines).
    expect(bundle.length / bundle.split('\n').length).toBeGreaterThan(1000);
  });

  it('defines require for the CommonJS dependencies', () => {
    expect(bundle.startsWith("import { createRequire as __awsKeyWorkerCreateRequire } from 'node:module';")).toBe(true);
  });

  it('exports handler', () => {
    expect(bundle).toMatch(/export\s*\{[^}]*\bas handler\b[^}]*\}/);
  });

  it('bundles the AWS SDK rather than importing the runtime’s', () => {
    expect(bundle).not.toMatch(/from\s*["']@aws-sdk\//);
    expect(statSync(bundlePath).size).toBeLessThan(5 * 1024 * 1024);
  });

  it('loads in Node with the deployed environment and exports the handler', () => {
    // GIVEN the function's environment, with the values CloudFormation fills in at deploy time made concrete
    const deployTime: Record<string, string> = {
      WORK_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/Bundled-WorkQueue.fifo',
      URGENT_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/Bundled-UrgentQueue',
      STATE_TABLE_NAME: 'Bundled-StateTable-ABC',
    };
    const env = Object.fromEntries(
      Object.entries(environment).map(([key, value]) => [key, typeof value === 'string' ? value : deployTime[key]]),
    );
    expect(Object.values(env).every((value) => typeof value === 'string')).toBe(true);
    // WHEN a fresh Node process imports the bundle (as the Lambda runtime does at a cold start)
    const script = `const m = await import(${JSON.stringify(pathToFileURL(bundlePath).href)}); process.stdout.write(typeof m.handler);`;
    const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      env: { PATH: process.env.PATH, AWS_REGION: 'eu-west-1', ...env },
      encoding: 'utf8',
      timeout: 120_000,
    });
    // THEN
    // (The AWS SDK warns on Node 20, which runs this test; Lambda runs the bundle on Node 24.)
    const notice = /\(node:\d+\) Warning: NodeVersionSupportWarning[\s\S]*?to show where the warning was created\)\n?/;
    expect(result.stderr.replace(notice, '')).toBe('');
    expect(result.stdout).toBe('function');
  });
});
