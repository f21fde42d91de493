import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** MongoDB's spec lives in the `shared/` folder beside the repository (as on CI), never copied into it. */
const SPEC = resolve(fileURLToPath(import.meta.url), '../../../../shared/atlas/atlas-admin-v2-apikeys.openapi.yaml');

/**
 * Where live Atlas (as recorded by MongoDB's Atlas CLI end-to-end tests, shared/atlas/README.md) differs from its
 * spec, the recording wins and the simulator follows it; the copy Prism checks against is loosened exactly there:
 * a never-used access-list entry has `count: 0` (the spec says minimum 1), and an error's `parameters` holds
 * strings or is `null` (the spec says an array of objects). Each patch must apply, or the test stops: a changed
 * spec must be looked at, not silently checked against something else. The spec's `ipAddress` pattern uses `\:`,
 * an invalid escape under JS's `u` flag, on which Prism silently skips the check: the equivalent `:` restores it.
 */
function patchToRecordedTraffic(spec: string): string {
  const patches: [string, string][] = [
    [
      '          format: int32\n          minimum: 1\n          readOnly: true\n          type: integer\n        created:',
      '          format: int32\n          minimum: 0\n          readOnly: true\n          type: integer\n        created:',
    ],
    [
      '          items:\n            readOnly: true\n            type: object\n          readOnly: true\n          type: array\n        reason:',
      '          nullable: true\n          readOnly: true\n          type: array\n        reason:',
    ],
  ];
  let patched = spec.replaceAll('\\:', ':');
  for (const [from, to] of patches) {
    if (patched.split(from).length !== 2) throw new Error(`spec patch no longer applies exactly once:\n${from}`);
    patched = patched.replace(from, to);
  }
  return patched;
}

/** A free loopback port (bound and released at once). */
async function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => done(typeof address === 'object' && address !== null ? address.port : 0));
    });
  });
}

export interface PrismProxy {
  /** `http://127.0.0.1:PORT`: point the client here. */
  readonly url: string;
  /** Everything Prism printed (violations included). */
  log(): string;
  close(): Promise<void>;
}

/**
 * Stoplight Prism in proxy mode with `--errors`, loaded with MongoDB's spec (patched as above, in a temporary
 * folder): it checks every request and the upstream's answer against the spec and answers an error instead of
 * forwarding a violation.
 */
export async function startPrism(upstream: string): Promise<PrismProxy> {
  const workDir = await mkdtemp(join(tmpdir(), 'atlas-contract-'));
  const patched = join(workDir, 'atlas-admin-v2-apikeys.patched.openapi.yaml');
  await writeFile(patched, patchToRecordedTraffic(await readFile(SPEC, 'utf8')));
  const port = await freePort();
  let log = '';
  const prism: ChildProcess = spawn(
    join(process.cwd(), 'node_modules/.bin/prism'),
    ['proxy', '--errors', patched, upstream, '--host', '127.0.0.1', '--port', String(port)],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const close = async () => {
    prism.kill('SIGTERM');
    await rm(workDir, { recursive: true, force: true });
  };
  try {
    await new Promise<void>((done, fail) => {
      const timer = setTimeout(() => fail(new Error(`Prism did not start:\n${log}`)), 50_000);
      const onData = (chunk: Buffer) => {
        log += chunk.toString();
        if (log.includes('Prism is listening')) {
          clearTimeout(timer);
          done();
        }
      };
      prism.stdout?.on('data', onData);
      prism.stderr?.on('data', onData);
      prism.once('exit', (code) => fail(new Error(`Prism exited (${code}):\n${log}`)));
    });
  } catch (error) {
    await close();
    throw error;
  }
  return { url: `http://127.0.0.1:${port}`, log: () => log, close };
}
