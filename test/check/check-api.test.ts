import { afterEach, describe, expect, it } from 'vitest';
import { checkApi } from '../../lambda/check/check-api.ts';
import { checkBaseUrl } from '../../lambda/check/check-base-url.ts';
import { probeApi } from '../../lambda/check/probe-api.ts';
import type { ProbeAnswer } from '../../lambda/check/types.ts';
import { startStaticServer, type StaticServer } from './fixture.ts';

const ORIGIN = 'https://cloud.mongodb.com';
const ORG = '0123456789abcdef01234567';
const answer = (status: number, extra: Partial<Extract<ProbeAnswer, { kind: 'answer' }>> = {}): ProbeAnswer => ({ kind: 'answer', status, ...extra });

describe('Function: checkApi', () => {
  it.each([
    ['a Digest challenge of realm "MMS Public API"', answer(401, { wwwAuthenticate: 'Digest realm="MMS Public API", nonce="+/x", algorithm=MD5, qop="auth"' }), 'pass', /answers like the Atlas Administration API v2/],
    ['an Atlas error body without a challenge', answer(403, { errorCode: 'ORG_REQUIRES_ACCESS_LIST', contentType: 'application/json' }), 'pass', /403 ORG_REQUIRES_ACCESS_LIST/],
    ['406 INVALID_VERSION_DATE', answer(406, { errorCode: 'INVALID_VERSION_DATE' }), 'fail', /^version negotiation failed/],
    ['410 VERSION_GONE', answer(410, { errorCode: 'VERSION_GONE' }), 'fail', /retired/],
    ['a redirect to a login page', answer(302, { location: 'https://account.mongodb.com/account/login' }), 'fail', /redirects \(302\) to "account\.mongodb\.com"/],
    ['a 404', answer(404, { contentType: 'text/html' }), 'fail', /^wrong base path/],
    ['an HTML page', answer(200, { contentType: 'text/html' }), 'fail', /HTML page/],
    ['JSON without credentials', answer(200, { contentType: 'application/json' }), 'fail', /without credentials/],
    ['a Basic challenge (a proxy)', answer(401, { wwwAuthenticate: 'Basic realm="corp-proxy"' }), 'fail', /asks for "Basic" authentication, not Digest/],
    ['a Digest challenge of another realm', answer(401, { wwwAuthenticate: 'Digest realm="corp", nonce="x"' }), 'warn', /realm "corp"/],
    ['a server error', answer(503), 'fail', /a server error/],
    ['no answer', { kind: 'unreachable', code: 'ENOTFOUND' } as const, 'fail', /did not answer \(ENOTFOUND\)/],
  ])('%s → %s', (_, probe, status, detail) => {
    const result = checkApi(probe, ORIGIN, 'atlas', ORG);

    expect(result.status).toBe(status);
    expect(result.detail).toMatch(detail);
    if (status === 'fail') expect(result.fix).toMatch(/\.$/);
  });

  it('tells an Ops Manager flavour that refuses a version to check its origin or flavour', () => {
    const result = checkApi(answer(406), 'https://om.example.internal:8443', 'ops-manager', ORG);

    expect(result.detail).toContain('https://om.example.internal:8443/api/public/v1.0 refused Accept application/json');
    expect(result.fix).toContain('set flavor "atlas"');
  });
});

describe('Function: checkBaseUrl', () => {
  it.each([
    ['https://cloud.mongodb.com', 'pass', 'https://cloud.mongodb.com'],
    ['http://127.0.0.1:8080', 'pass', 'http://127.0.0.1:8080'],
    ['http://localhost:8080', 'pass', 'http://localhost:8080'],
    ['http://[::1]:8080', 'pass', 'http://[::1]:8080'],
    ['https://cloud.mongodb.com/api/atlas/v2', 'warn', 'https://cloud.mongodb.com'],
    ['http://cloud.mongodb.com', 'fail', undefined],
    ['http://10.0.0.5:8080', 'fail', undefined],
    ['http://127.0.0.1.nip.io', 'fail', undefined],
    ['ftp://cloud.mongodb.com', 'fail', undefined],
    ['cloud.mongodb.com', 'fail', undefined],
  ])('%s → %s', (url, status, origin) => {
    const verdict = checkBaseUrl(url, 'atlas', 'orgs[0].baseUrl in policy.json', ORG);

    expect(verdict.result.status).toBe(status);
    expect(verdict.origin).toBe(origin);
  });

  it('never shows a URL that carries credentials', () => {
    const verdict = checkBaseUrl('https://user:hunter2@cloud.mongodb.com', 'atlas', 'the base URL', ORG);

    expect(verdict.result.status).toBe('fail');
    expect(verdict.origin).toBeUndefined();
    expect(JSON.stringify(verdict)).not.toContain('hunter2');
  });
});

describe('Function: probeApi', () => {
  let server: StaticServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('sends the Accept header and no credentials, and reads the status, content type and error code', async () => {
    server = await startStaticServer(406, JSON.stringify({ error: 406, errorCode: 'INVALID_VERSION_DATE', detail: 'x' }), 'application/json');

    const probe = await probeApi({ url: `${server.baseUrl}/api/atlas/v2/orgs/${ORG}`, accept: 'application/vnd.atlas.2023-01-01+json' });

    expect(probe).toEqual({ kind: 'answer', status: 406, contentType: 'application/json', errorCode: 'INVALID_VERSION_DATE' });
    expect(server.requests[0]?.headers.accept).toBe('application/vnd.atlas.2023-01-01+json');
    expect(server.requests[0]?.headers.authorization).toBeUndefined();
  });

  it('reports a refused connection as unreachable with its code', async () => {
    server = await startStaticServer(200, '');
    const url = server.baseUrl;
    await server.close();
    server = undefined;

    expect(await probeApi({ url, accept: 'application/json' })).toEqual({ kind: 'unreachable', code: 'ECONNREFUSED' });
  });
});
