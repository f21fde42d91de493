import { build } from 'esbuild';

/** The banner `infra/atlas-key-worker.ts` adds: `require` for the CommonJS dependencies inside an ES module. */
const ESM_REQUIRE_BANNER =
  "import { createRequire as __awsKeyWorkerCreateRequire } from 'node:module'; " +
  'const require = __awsKeyWorkerCreateRequire(import.meta.url);';

/**
 * Bundles `entry` the way the CDK construct's `bundling` block does (NodejsFunction → esbuild): one minified ES
 * module, everything bundled including the AWS SDK, `module` before `main`, a source map kept apart.
 * `target` is the construct's `node24` for the size; the load timing uses what this machine's Node can run.
 * Returns the output's bytes by package.
 */
export async function buildBundle(entry: string, outfile: string, target = 'node24'): Promise<Record<string, number>> {
  const result = await build({
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
    metafile: true,
  });
  // Bytes of the output by package (node_modules/<package>) or by our folder (lambda/<layer>).
  const bytes: Record<string, number> = {};
  for (const output of Object.values(result.metafile.outputs)) {
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input)?.[1] ?? input.split('/').slice(0, 2).join('/');
      bytes[pkg] = (bytes[pkg] ?? 0) + bytesInOutput;
    }
  }
  return bytes;
}
