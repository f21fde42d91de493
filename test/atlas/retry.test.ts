import { describe, expect, it } from 'vitest';
import {
  AtlasAbortedError,
  AtlasApiError,
  AtlasAuthError,
  AtlasDeadlineError,
  AtlasMalformedResponseError,
  AtlasNetworkError,
  AtlasTimeoutError,
} from '../../lambda/atlas/errors.ts';
import { backoffDelay } from '../../lambda/atlas/retry/backoff-delay.ts';
import { parseRetryAfter } from '../../lambda/atlas/retry/parse-retry-after.ts';
import { decideRetry } from '../../lambda/atlas/retry/retry-decision.ts';
import { scheduleRetry } from '../../lambda/atlas/retry/schedule-retry.ts';

const at = { method: 'GET', path: '/x' };
const http = (status: number, errorCode?: string) =>
  new AtlasApiError('x', { ...at, status, ...(errorCode === undefined ? {} : { errorCode }) });
const policy = { maxAttempts: 5, baseDelayMs: 500, maxDelayMs: 30_000 };

describe('Function: decideRetry', () => {
  it.each([
    ['429', http(429, 'RATE_LIMITED_TOKEN_BUCKET'), true],
    ['500', http(500), true],
    ['502', http(502), true],
    ['503', http(503), true],
    ['504', http(504), true],
    ['501', http(501), false],
    ['400', http(400, 'VALIDATION_ERROR'), false],
    ['401', new AtlasAuthError('x', { ...at, status: 401 }), false],
    ['403', http(403), false],
    ['404', http(404), false],
    ['406', http(406), false],
    ['410', http(410), false],
    ['409', http(409), false],
    ['token endpoint 429', new AtlasAuthError('x', { ...at, status: 429 }), true],
    ['token endpoint 401', new AtlasAuthError('x', { ...at, status: 401, errorCode: 'invalid_client' }), false],
    ['network reset', new AtlasNetworkError('x', at), true],
    ['transport timeout', new AtlasTimeoutError('x', at), true],
    ['deadline', new AtlasDeadlineError('x', at), false],
    ['aborted', new AtlasAbortedError('x', at), false],
    ['malformed body', new AtlasMalformedResponseError('x', { ...at, status: 200 }), false],
  ])('%s → retry %s', (_name, error, expected) => {
    expect(decideRetry(error, 1, 5).retry).toBe(expected);
  });

  it('stops at maxAttempts', () => {
    expect(decideRetry(http(503), 4, 5).retry).toBe(true);
    expect(decideRetry(http(503), 5, 5).retry).toBe(false);
    expect(decideRetry(http(503), 1, 1).retry).toBe(false);
  });
});

describe('Function: backoffDelay', () => {
  it('is full jitter below min(maxDelay, base * 2^n)', () => {
    expect(backoffDelay(0, policy, () => 0)).toBe(0);
    expect(backoffDelay(0, policy, () => 0.999999)).toBe(499);
    expect(backoffDelay(3, policy, () => 0.5)).toBe(2000);
    expect(backoffDelay(10, policy, () => 0.999999)).toBe(29_999);
    expect(backoffDelay(60, policy, () => 0.5)).toBe(15_000);
  });

  it('stays within bounds for any random value', () => {
    for (let retry = 0; retry < 20; retry += 1) {
      for (const r of [0, 0.1, 0.5, 0.9, 0.9999]) {
        const delay = backoffDelay(retry, policy, () => r);
        expect(delay).toBeGreaterThanOrEqual(0);
        expect(delay).toBeLessThan(Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** retry));
      }
    }
  });
});

describe('Function: parseRetryAfter', () => {
  const now = Date.parse('2025-01-01T00:00:00Z');
  it('reads delay-seconds', () => {
    expect(parseRetryAfter('55', now)).toBe(55_000);
    expect(parseRetryAfter(' 0 ', now)).toBe(0);
    expect(parseRetryAfter('1.5', now)).toBe(1500);
    expect(parseRetryAfter(['2', '9'], now)).toBe(2000);
  });
  it('reads an HTTP date, a past one as 0', () => {
    expect(parseRetryAfter('Wed, 01 Jan 2025 00:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Tue, 31 Dec 2024 23:00:00 GMT', now)).toBe(0);
  });
  it('ignores absent or unreadable values', () => {
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
    expect(parseRetryAfter('', now)).toBeUndefined();
    expect(parseRetryAfter('-5', now)).toBeUndefined();
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter('Foo, 99 Bar 2025 00:00:00 GMT', now)).toBeUndefined();
  });
});

describe('Function: scheduleRetry', () => {
  const base = { retryIndex: 2, policy, random: () => 0.5, now: 1_000 };
  it('uses backoff without Retry-After', () => {
    expect(scheduleRetry({ ...base, retryAfterMs: undefined, deadline: undefined })).toEqual({ delayMs: 1000 });
  });
  it('uses Retry-After as the delay when present, even above maxDelay', () => {
    expect(scheduleRetry({ ...base, retryAfterMs: 55_000, deadline: undefined })).toEqual({ delayMs: 55_000 });
  });
  it('gives up rather than sleep past the deadline', () => {
    expect(scheduleRetry({ ...base, retryAfterMs: 5_000, deadline: 5_000 })).toEqual({ giveUp: 'deadline' });
    expect(scheduleRetry({ ...base, retryAfterMs: 3_000, deadline: 5_000 })).toEqual({ delayMs: 3_000 });
  });
});
