import type { Context } from 'aws-lambda';
import { createRuntime } from './runtime/create-runtime.ts';

// Built once per container: config and policy are validated here, so a bad deployment fails at init.
const runtime = createRuntime(process.env);

/** One entry point for an SQS batch, an EventBridge schedule, or a single command invoked directly. */
export const handler = (event: unknown, context: Context) => runtime.handle(event, context);
