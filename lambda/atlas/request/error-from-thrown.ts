import {
  AtlasAbortedError,
  AtlasApiError,
  AtlasDeadlineError,
  AtlasNetworkError,
  AtlasTimeoutError,
} from '../errors.ts';

const TIMEOUT_CODES = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'ETIMEDOUT']);

export interface ThrownContext {
  readonly method: string;
  readonly path: string;
  readonly attempts: number;
  /** The caller's own signal (to tell an abort from a deadline). */
  readonly callerSignal: AbortSignal | undefined;
  /** The call's combined signal (caller's and deadline timer). */
  readonly callSignal: AbortSignal | undefined;
  readonly deadline: number | undefined;
  readonly now: number;
}

/** Classifies anything thrown during an attempt. `AtlasApiError`s pass through. */
export function errorFromThrown(thrown: unknown, context: ThrownContext): AtlasApiError {
  if (thrown instanceof AtlasApiError) return thrown;
  const details = { method: context.method, path: context.path, attempts: context.attempts, cause: thrown };
  const where = `${context.method} ${context.path.split('?')[0]}`;
  if (context.callerSignal?.aborted) return new AtlasAbortedError(`${where} aborted by the caller`, details);
  if (context.callSignal?.aborted || (context.deadline !== undefined && context.now >= context.deadline)) {
    return new AtlasDeadlineError(`${where} did not finish before the deadline`, details);
  }
  const code = (thrown as { code?: unknown } | null)?.code;
  const name = (thrown as { name?: unknown } | null)?.name;
  if ((typeof code === 'string' && TIMEOUT_CODES.has(code)) || name === 'TimeoutError') {
    return new AtlasTimeoutError(`${where} timed out (${String(code ?? name)})`, details);
  }
  return new AtlasNetworkError(`${where} failed: ${String(code ?? (thrown as Error | null)?.message ?? thrown)}`, details);
}
