import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import {
  AtlasApiError,
  AtlasAuthError,
  AtlasNetworkError,
  createAtlasClient,
} from '../../lambda/atlas/index.ts';
import { redact, registerSecret } from '../../lambda/atlas/redact.ts';

const PRIVATE_KEY = 'c0ffee00-1234-4abc-9def-0123456789ab';
const CLIENT_SECRET = 'mdb_sa_sk_TOPSECRETvalue1234567890';
const TOKEN = 'eyJhbGciOiJIUzI1NiJ9.payload-token.sig';

/** Every way an error gets written down. */
function everyRendering(error: Error): string {
  return [
    error.message,
    error.stack ?? '',
    JSON.stringify(error),
    inspect(error, { depth: 10, showHidden: true }),
    String(error),
    inspect(error.cause, { depth: 10, showHidden: true }),
    JSON.stringify(Object.getOwnPropertyDescriptors(error), (_key, value) => (value instanceof Error ? inspect(value) : value)),
  ].join('\n');
}

describe('Class: AtlasApiError › redaction', () => {
  it('redacts registered secrets and header-shaped credentials from message, stack, cause and JSON', () => {
    // Prepare
    registerSecret(PRIVATE_KEY);
    registerSecret(CLIENT_SECRET);
    registerSecret(TOKEN);
    const cause = Object.assign(
      new Error(`socket hang up; authorization: Digest username="abcdefgh", response="d41d8cd98f00b204e9800998ecf8427e"; key ${PRIVATE_KEY}`),
      { code: 'ECONNRESET', headers: { authorization: `Bearer ${TOKEN}` }, options: { secret: CLIENT_SECRET } },
    );
    // Act
    const errors = [
      new AtlasNetworkError(`GET /x failed with Authorization: Bearer ${TOKEN}`, { method: 'GET', path: `/x?token=${TOKEN}`, cause }),
      new AtlasAuthError(`token request failed for ${CLIENT_SECRET}`, {
        method: 'POST',
        path: '/api/oauth/token',
        status: 401,
        errorCode: 'invalid_client',
        detail: `client_secret=${CLIENT_SECRET}`,
        reason: `Basic ${Buffer.from(`id:${CLIENT_SECRET}`).toString('base64')}`,
      }),
      new AtlasApiError(`privateKey: "${PRIVATE_KEY}"`, { method: 'DELETE', path: '/y', status: 500, cause: PRIVATE_KEY }),
    ];
    // Assess
    for (const error of errors) {
      const text = everyRendering(error);
      for (const secret of [PRIVATE_KEY, CLIENT_SECRET, TOKEN, Buffer.from(`id:${CLIENT_SECRET}`).toString('base64'), 'd41d8cd98f00b204e9800998ecf8427e']) {
        expect(text).not.toContain(secret);
      }
      expect(text).toContain('[REDACTED]');
    }
    expect((errors[0]!.cause as { code?: string }).code).toBe('ECONNRESET');
    expect(errors[0]?.path).toBe('/x');
  });

  it('catches credentials by pattern even when never registered', () => {
    const text = redact('authorization: Basic dXNlcjpwYXNz\n{"access_token":"abc.def.ghi","expires_in":3600} Bearer xyz123');
    expect(text).not.toMatch(/dXNlcjpwYXNz|abc\.def\.ghi|xyz123/);
    expect(text).toContain('"expires_in":3600');
  });

  it('redacts Digest credentials but keeps prose that mentions Digest readable', () => {
    const text = redact('sent Digest username="abcdefgh", realm="MMS Public API", response="0123abcd"\nThe Digest nonce is unknown or expired.');
    expect(text).not.toMatch(/abcdefgh|0123abcd/);
    expect(text).toContain('The Digest nonce is unknown or expired.');
  });

  it('toJSON keeps the useful fields', () => {
    const error = new AtlasApiError('DELETE /orgs/x failed: 400 CANNOT_REMOVE_CALLER_FROM_ACCESS_LIST', {
      method: 'DELETE',
      path: '/orgs/x',
      status: 400,
      errorCode: 'CANNOT_REMOVE_CALLER_FROM_ACCESS_LIST',
      reason: 'Bad Request',
      detail: 'Cannot remove',
      attempts: 2,
    });
    expect(error.toJSON()).toEqual({
      name: 'AtlasApiError',
      kind: 'http',
      message: 'DELETE /orgs/x failed: 400 CANNOT_REMOVE_CALLER_FROM_ACCESS_LIST',
      method: 'DELETE',
      path: '/orgs/x',
      status: 400,
      errorCode: 'CANNOT_REMOVE_CALLER_FROM_ACCESS_LIST',
      reason: 'Bad Request',
      detail: 'Cannot remove',
      attempts: 2,
    });
    expect(error.withAttempts(3).attempts).toBe(3);
    expect(error.withAttempts(3)).toBeInstanceOf(AtlasApiError);
  });

  it('a client registers its own secret: a failure against a dead port carries none of it', async () => {
    const secret = 'another-private-key-9f8e7d6c';
    const client = createAtlasClient({
      baseUrl: 'http://127.0.0.1:9',
      flavor: 'atlas',
      credentials: { kind: 'digest', publicKey: 'abcdefgh', privateKey: secret },
      retry: { maxAttempts: 1 },
    });
    const error = (await client.getOrg('5f1a2b3c4d5e6f7a8b9c0d1e').catch((thrown: unknown) => thrown)) as Error;
    await client.close();
    expect(error).toBeInstanceOf(AtlasNetworkError);
    expect(everyRendering(error)).not.toContain(secret);
    expect(redact(`x ${secret} y`)).toBe('x [REDACTED] y');
  });
});
