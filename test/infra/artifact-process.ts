import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const CHILD_SCRIPT = fileURLToPath(new URL('./artifact-child.mjs', import.meta.url));

/** Where and how the bundle runs: Lambda's task root, the function's environment, its handler export. */
export interface ArtifactProcessOptions {
  readonly bundlePath: string;
  readonly handlerExport: string;
  /** The whole environment of the process (nothing is inherited from the test's). */
  readonly env: Readonly<Record<string, string>>;
  readonly cwd: string;
  /** Longest wait for the load and for each invocation, before the process is killed. @default 120_000 */
  readonly waitMs?: number;
}

/** A failed invocation, as the runtime reports it. */
export class InvocationError extends Error {
  constructor(
    readonly errorType: string,
    message: string,
  ) {
    super(`${errorType}: ${message}`);
  }
}

/** One function instance: the bundle loaded in a plain `node` child, invoked over IPC. */
export interface ArtifactProcess {
  /** Milliseconds the bundle's `import` took (module evaluation included). */
  readonly loadMs: number;
  /** CPU milliseconds (user + system) the process spent in that `import`. */
  readonly loadCpuMs: number;
  /** `typeof` the handler export. */
  readonly handlerType: string;
  invoke(event: unknown, timeoutMs: number): Promise<unknown>;
  /** Everything the process wrote so far. */
  output(): { stdout: string; stderr: string };
  /** Lets the process finish its invocations and exit; resolves with its exit code. */
  close(): Promise<number | null>;
}

type ChildMessage =
  | { type: 'loaded'; loadMs: number; loadCpuMs: number; handlerType: string }
  | { type: 'result'; id: number; ok: true; result: unknown }
  | { type: 'result'; id: number; ok: false; error: { errorType: string; errorMessage: string } };

/** Starts the child and resolves once the bundle is loaded (rejects if it fails to load or takes too long). */
export async function startArtifactProcess(options: ArtifactProcessOptions, mode: 'serve' | 'load-only' = 'serve'): Promise<ArtifactProcess> {
  const waitMs = options.waitMs ?? 120_000;
  const args = [CHILD_SCRIPT, options.bundlePath, options.handlerExport, ...(mode === 'load-only' ? ['load-only'] : [])];
  const child = spawn(process.execPath, args, { cwd: options.cwd, env: { ...options.env }, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString('utf8');
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  child.on('message', (message: ChildMessage) => {
    if (message.type !== 'result') return;
    const waiter = pending.get(message.id);
    pending.delete(message.id);
    if (message.ok) waiter?.resolve(message.result);
    else waiter?.reject(new InvocationError(message.error.errorType, message.error.errorMessage));
  });
  void exited.then((code) => {
    for (const waiter of pending.values()) waiter.reject(new Error(`the function process exited (${code}) during an invocation:\n${stderr}`));
    pending.clear();
  });

  const loaded = await bounded(
    child,
    waitMs,
    'load',
    new Promise<ChildMessage & { type: 'loaded' }>((resolve, reject) => {
      child.once('message', (message: ChildMessage) => {
        if (message.type === 'loaded') resolve(message);
      });
      void exited.then((code) => reject(new Error(`the bundle did not load (exit ${code}):\n${stderr}`)));
    }),
  );

  let nextId = 0;
  return {
    loadMs: loaded.loadMs,
    loadCpuMs: loaded.loadCpuMs,
    handlerType: loaded.handlerType,
    invoke: (event, timeoutMs) => {
      nextId += 1;
      const id = nextId;
      const result = new Promise<unknown>((resolve, reject) => {
        pending.set(id, { resolve, reject });
        child.send({ type: 'invoke', id, event, timeoutMs }, (error) => {
          if (error === null) return;
          pending.delete(id);
          reject(new Error(`the function process cannot be invoked: ${error.message}\n${stderr}`));
        });
      });
      return bounded(child, waitMs, 'invocation', result);
    },
    output: () => ({ stdout, stderr }),
    close: async () => {
      // A load-only process exits by itself; with a callback, a closed channel is not an 'error' event.
      if (mode === 'serve' && child.connected) child.send({ type: 'exit' }, () => undefined);
      return bounded(child, waitMs, 'exit', exited);
    },
  };
}

/** `work`, or the process killed and a rejection after `ms`: no test waits forever on a stuck child. */
async function bounded<T>(child: ChildProcess, ms: number, what: string, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the function process took over ${ms} ms (${what}); killed`));
    }, ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
