import { build } from 'esbuild';

/** The banner `infra/atlas-key-worker.ts` adds: `require` for the CommonJS dependencies inside an ES module. */
const ESM_REQUIRE_BANNER =
  "import { createRequire as __awsKeyWorkerCreateRequire } from 'node:module'; " +
  'const require = __awsKeyWorkerCreateRequire(import.meta.url);';

/**
 * Bundles `entry` the way the CDK construct's `bundling` block does (NodejsFunction → esbuild): one minified ES
 * module, everything bundled including the AWS SDK, `module` before `main`, a source map kept apart.
 * `target` is the construct's `node24` for the size; the load timing uses what this machine's Node can run.
 */
export async function buildBundle(entry: string, outfile: string, target = 'node24'): Promise<void> {
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target,
    mainFields: ['module', 'main'],
    banner: { js: ESM_REQUIRE_BANNER },
    minify: true,
    sourcemap: true,
    sourcesContent: false,
    external: [],
    logLevel: 'warning',
  });
}
