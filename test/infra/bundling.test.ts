import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { beforeAll, describe, expect, it } from 'vitest';
import { AtlasKeyWorker } from '../../infra/atlas-key-worker.ts';
import { requiredProps } from './helpers.ts';

describe('AtlasKeyWorker: bundling', () => {
  // GIVEN an app that bundles for real (local esbuild, no Docker), built once
  let bundle: string;
  let bundlePath: string;
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
});
