import type { AuthStrategy } from '../auth/types.ts';
import { AtlasDeadlineError, AtlasMalformedResponseError } from '../errors.ts';
import type { Pacer, PaceTicket } from '../pacing/create-pacer.ts';
import { parseRateLimitHeaders } from '../pacing/parse-rate-limit-headers.ts';
import { decideRetry } from '../retry/retry-decision.ts';
import { scheduleRetry } from '../retry/schedule-retry.ts';
import type { TransportResponse, Transport } from '../transport/create-transport.ts';
import type { CallOptions, ClientEvent, RetryPolicy } from '../types.ts';
import { callSignal, sleep } from '../util/abortable.ts';
import { errorFromResponse } from './error-from-response.ts';
import { errorFromThrown } from './error-from-thrown.ts';
import { reportDeprecation } from './report-deprecation.ts';

export interface RequestContext {
  readonly origin: string;
  /** `/api/atlas/v2` or `/api/public/v1.0`. */
  readonly prefix: string;
  readonly accept: string;
  readonly userAgent: string;
  readonly transport: Transport;
  readonly auth: AuthStrategy;
  readonly pacer: Pacer | undefined;
  readonly retry: RetryPolicy;
  readonly random: () => number;
  readonly now: () => number;
  readonly onEvent: ((event: ClientEvent) => void) | undefined;
}

export interface ApiRequest {
  readonly method: 'GET' | 'DELETE' | 'POST' | 'PATCH';
  /** Relative to the prefix, built from validated segments only; may carry a query. */
  readonly path: string;
  /** Sent as JSON, with `Content-Type` equal to the media type accepted. */
  readonly body?: unknown;
  /** Media type for this resource when it differs from the flavour's (service accounts: a later version). */
  readonly accept?: string;
  /**
   * `false` for a request that creates something (a key, a secret): after a network error, a timeout or a 5xx
   * the server may have acted, so only a 429 (refused before acting) is retried. @default true
   */
  readonly idempotent?: boolean;
}

/**
 * One logical call: pacing, auth, transport and retries. Resolves with the first 2xx response; throws an
 * `AtlasApiError` otherwise.
 *
 * The loop is hand-written rather than undici's RetryAgent/RetryHandler: that handler resends the same
 * dispatch options, so it cannot sign each attempt anew (Digest needs a fresh `nc` and `cnonce` per attempt,
 * OAuth a refreshed token after a 401), cannot draw a pacing token per attempt, and knows nothing of the
 * caller's deadline (it would sleep past it).
 */
export async function sendRequest(
  context: RequestContext,
  request: ApiRequest,
  options: CallOptions | undefined,
): Promise<TransportResponse> {
  const deadline = options?.deadline;
  // Whole milliseconds: AbortSignal.timeout throws a RangeError for a fractional delay, and a deadline computed
  // from a Lambda's remaining time (or an injected clock) need not be whole.
  const signal = callSignal(deadline === undefined ? undefined : Math.floor(deadline), options?.signal, Math.floor(context.now()));
  const fullPath = context.prefix + request.path;
  const session = context.auth.begin();
  const emit = context.onEvent ?? (() => {});
  let sent = 0; // HTTP requests sent, auth round trips included
  let tries = 1; // attempts as counted by the retry policy (auth resends are not retries)

  for (;;) {
    let ticket: PaceTicket | undefined;
    try {
      // Nothing is sent once the deadline has passed: it would be cut off anyway, perhaps after the server acted.
      if (deadline !== undefined && context.now() >= deadline) {
        throw new AtlasDeadlineError(`${request.method} ${fullPath.split('?')[0]} not sent: the deadline has passed`, {
          method: request.method,
          path: fullPath,
          attempts: sent,
        });
      }
      await session.prepare?.(signal);
      ticket = await context.pacer?.acquire(request.path, {
        deadline,
        signal,
        urgent: options?.urgent === true,
        deadlineExceeded: (waitMs) =>
          new AtlasDeadlineError(
            `${request.method} ${fullPath.split('?')[0]} would wait ${waitMs} ms for a rate-limit token, past the deadline`,
            { method: request.method, path: fullPath, attempts: sent },
          ),
      });
      const authorization = await session.authorize(request.method, fullPath, signal);
      const accept = request.accept ?? context.accept;
      const headers: Record<string, string> = { accept, 'user-agent': context.userAgent };
      if (authorization !== undefined) headers['authorization'] = authorization;
      if (request.body !== undefined) headers['content-type'] = accept;
      const started = context.now();
      sent += 1;
      const response = await context.transport.send({
        origin: context.origin,
        method: request.method,
        path: fullPath,
        headers,
        ...(request.body === undefined ? {} : { body: JSON.stringify(request.body) }),
        ...(signal === undefined ? {} : { signal }),
      });
      ticket?.observe(parseRateLimitHeaders(response.headers), response.status);
      ticket = undefined;
      emit({
        type: 'response',
        method: request.method,
        path: fullPath.split('?')[0] ?? fullPath,
        status: response.status,
        attempt: sent,
        durationMs: context.now() - started,
      });
      reportDeprecation(response.headers, fullPath, emit);

      if (response.status === 401) {
        const again = await session.onUnauthorized(response.headers['www-authenticate'], signal);
        if (again) continue;
      }
      session.settle();
      if (response.status >= 200 && response.status < 300) {
        assertWriteAnswer(request, fullPath, response);
        return response;
      }
      throw errorFromResponse(response, { method: request.method, path: fullPath, attempts: sent, now: context.now() });
    } catch (thrown) {
      ticket?.release();
      session.settle();
      const error = errorFromThrown(thrown, {
        method: request.method,
        path: fullPath,
        attempts: sent,
        callerSignal: options?.signal,
        callSignal: signal,
        deadline,
        now: context.now(),
      }).withAttempts(sent);
      if (error.status === 429) {
        emit({
          type: 'rate-limited',
          method: request.method,
          path: error.path,
          ...(error.retryAfterMs === undefined ? {} : { retryAfterMs: error.retryAfterMs }),
        });
      }
      const decision = decideRetry(error, tries, context.retry.maxAttempts);
      if (!decision.retry) throw error;
      if (request.idempotent === false && error.status !== 429) throw error;
      const schedule = scheduleRetry({
        retryIndex: tries - 1,
        policy: context.retry,
        random: context.random,
        retryAfterMs: error.retryAfterMs,
        now: context.now(),
        deadline,
      });
      // Sleeping past the deadline helps nobody: fail now with what we know.
      if ('giveUp' in schedule) throw error;
      emit({
        type: 'retry',
        method: request.method,
        path: error.path,
        attempt: tries,
        delayMs: schedule.delayMs,
        reason: decision.reason,
      });
      // Only the caller's signal can cut this sleep short (the deadline was checked above): end with the last error.
      await sleep(schedule.delayMs, signal).catch(() => {
        throw error;
      });
      tries += 1;
    }
  }
}

/**
 * A DELETE succeeds with no body (204, or Ops Manager's 200) or a JSON one. A 2xx whose body is not JSON came
 * from something other than the API (a proxy, a captive portal, a half-written reply): the resource may well
 * still exist, so it must not count as deleted.
 */
function assertWriteAnswer(request: ApiRequest, fullPath: string, response: TransportResponse): void {
  if (request.method !== 'DELETE' || response.text.trim() === '') return;
  try {
    JSON.parse(response.text);
  } catch (error) {
    throw new AtlasMalformedResponseError(
      `${request.method} ${fullPath.split('?')[0]} answered ${response.status} with a body that is not JSON (${response.text.length} bytes); not counted as deleted`,
      { method: request.method, path: fullPath, status: response.status, cause: error },
    );
  }
}
