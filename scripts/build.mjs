// `npm run build`: bundles the operator CLI into dist/cli.mjs (the package's `bin`), with esbuild.
// The Lambda bundle is built by CDK's NodejsFunction (`npm run synth`), not here.
import { chmod } from 'node:fs/promises';
import { build } from 'esbuild';

const outfile = 'dist/cli.mjs';
await build({
  entryPoints: ['lambda/cli.ts'],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  minify: true,
  sourcemap: true,
  // Some dependencies are CommonJS and call require(); give the ESM bundle one.
  banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  logLevel: 'warning',
});
await chmod(outfile, 0o755);
console.log(`built ${outfile}`);
