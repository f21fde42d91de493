import type { Context } from 'aws-lambda';
import { createRuntime } from './runtime/create-runtime.ts';
import { tracingFromEnv } from './telemetry/tracing.ts';

// Built once per container: config and policy are validated here, so a bad deployment fails at init.
const tracing = await tracingFromEnv(process.env);
const runtime = createRuntime(process.env, tracing.deps);

/** One entry point for an SQS batch, an EventBridge schedule, a rotation step, or a single command invoked directly. */
export const handler = (event: unknown, context: Context) => tracing.around(() => runtime.handle(event, context));
