// Plays the Lambda Node.js runtime for one function instance: a plain `node` process (no tsx, no vitest) that
// imports the shipped bundle once, as a cold start does, then runs invocations the parent sends over IPC. The
// bundle's own output (logs, EMF metrics) goes to stdout/stderr untouched; results travel over IPC only.
// Usage: node artifact-child.mjs <bundle path> <handler export> [load-only]
import { randomBytes, randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';

const [bundlePath, handlerExport, mode] = process.argv.slice(2);
const send = (message) => new Promise((resolve) => process.send(message, resolve));

const started = performance.now();
const cpuBefore = process.cpuUsage();
const bundle = await import(pathToFileURL(bundlePath).href);
const loadMs = performance.now() - started;
// CPU time as well: on a busy machine the wall time mostly measures the wait for a core.
const cpu = process.cpuUsage(cpuBefore);
await send({ type: 'loaded', loadMs, loadCpuMs: (cpu.user + cpu.system) / 1000, handlerType: typeof bundle[handlerExport] });
if (mode === 'load-only') process.exit(0);

/** A context shaped like the runtime's; the deadline is the function's timeout from the start of the invoke. */
function contextFor(timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  const env = process.env;
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: env.AWS_LAMBDA_FUNCTION_NAME,
    functionVersion: env.AWS_LAMBDA_FUNCTION_VERSION,
    invokedFunctionArn: `arn:aws:lambda:${env.AWS_REGION}:123456789012:function:${env.AWS_LAMBDA_FUNCTION_NAME}`,
    memoryLimitInMB: env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    awsRequestId: randomUUID(),
    logGroupName: env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: env.AWS_LAMBDA_LOG_STREAM_NAME,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

// One invocation at a time, as one Lambda instance runs them.
let queue = Promise.resolve();
process.on('message', (message) => {
  if (message.type === 'exit') {
    queue.then(() => process.exit(0));
    return;
  }
  queue = queue.then(async () => {
    // Lambda sets the trace header per invocation (not sampled: nothing is sent anywhere).
    process.env._X_AMZN_TRACE_ID = `Root=1-${Math.floor(Date.now() / 1000).toString(16)}-${randomBytes(12).toString('hex')};Parent=${randomBytes(8).toString('hex')};Sampled=0`;
    try {
      const result = await bundle[handlerExport](message.event, contextFor(message.timeoutMs));
      // The runtime answers with the result serialized as JSON.
      await send({ type: 'result', id: message.id, ok: true, result: result === undefined ? null : JSON.parse(JSON.stringify(result)) });
    } catch (error) {
      // The runtime logs a failed invocation's error, then reports it.
      const errorType = error?.name ?? typeof error;
      const errorMessage = error?.message ?? String(error);
      process.stderr.write(`${JSON.stringify({ errorType, errorMessage, stack: String(error?.stack ?? '').split('\n') })}\n`);
      await send({ type: 'result', id: message.id, ok: false, error: { errorType, errorMessage } });
    }
  });
});
