import { describe, expect, it } from 'vitest';
import { digestAuthorization, digestResponse, formatNonceCount } from '../../lambda/atlas/auth/digest/digest-response.ts';
import { findDigestChallenge, parseChallenges } from '../../lambda/atlas/auth/digest/parse-challenge.ts';

describe('Function: digestResponse', () => {
  it('matches the RFC 2617 §3.5 worked example (MD5, qop=auth)', () => {
    // Prepare / Act
    const response = digestResponse({
      username: 'Mufasa',
      password: 'Circle Of Life',
      realm: 'testrealm@host.com',
      nonce: 'dcd98b7102dd2f0e8b11d0f600bfb0c093',
      method: 'GET',
      uri: '/dir/index.html',
      nc: 1,
      cnonce: '0a4f113b',
    });
    // Assess
    expect(response).toBe('6629fae49393a05397450978507c4ef1');
  });

  it('matches the RFC 7616 §3.9.1 worked example (MD5)', () => {
    const response = digestResponse({
      username: 'Mufasa',
      password: 'Circle of Life',
      realm: 'http-auth@example.org',
      nonce: '7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v',
      method: 'GET',
      uri: '/dir/index.html',
      nc: 1,
      cnonce: 'f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ',
    });
    expect(response).toBe('8ca523f5e9506fed4657c9700eebdbec');
  });

  it('formats nc as 8 hex digits', () => {
    expect(formatNonceCount(1)).toBe('00000001');
    expect(formatNonceCount(255)).toBe('000000ff');
    expect(formatNonceCount(0x12345678)).toBe('12345678');
  });

  it('builds a header with every field the server checks, the uri verbatim', () => {
    const header = digestAuthorization({
      username: 'abcdefgh',
      password: 'secret-private-key',
      realm: 'MMS Public API',
      nonce: 'n1',
      method: 'DELETE',
      uri: '/api/atlas/v2/orgs/x/apiKeys/y/accessList/192.0.2.0%2F24',
      nc: 2,
      cnonce: 'c1',
      opaque: 'o"1',
    });
    expect(header).toMatch(/^Digest /);
    expect(header).toContain('username="abcdefgh"');
    expect(header).toContain('uri="/api/atlas/v2/orgs/x/apiKeys/y/accessList/192.0.2.0%2F24"');
    expect(header).toContain('qop=auth');
    expect(header).toContain('nc=00000002');
    expect(header).toContain('algorithm=MD5');
    expect(header).toContain('opaque="o\\"1"');
    expect(header).not.toContain('secret-private-key');
  });
});

describe('Function: parseChallenges', () => {
  it('reads the Atlas challenge', () => {
    const challenge = findDigestChallenge(
      'Digest realm="MMS Public API", domain="", nonce="abc/def+==", algorithm=MD5, qop="auth", stale=false',
    );
    expect(challenge).toEqual({
      scheme: 'digest',
      params: { realm: 'MMS Public API', domain: '', nonce: 'abc/def+==', algorithm: 'MD5', qop: 'auth', stale: 'false' },
    });
  });

  it('keeps commas and escaped quotes inside quoted strings', () => {
    const [challenge] = parseChallenges('Digest realm="a, b \\"c\\"", qop="auth,auth-int", nonce="x,y"');
    expect(challenge?.params).toEqual({ realm: 'a, b "c"', qop: 'auth,auth-int', nonce: 'x,y' });
  });

  it('finds the Digest challenge among several, in one line or several headers', () => {
    const line = 'Basic realm="oauth", Digest realm="r", nonce="n", stale=TRUE, Bearer';
    expect(parseChallenges(line).map((challenge) => challenge.scheme)).toEqual(['basic', 'digest', 'bearer']);
    expect(findDigestChallenge(line)?.params['stale']).toBe('TRUE');
    expect(findDigestChallenge(['Bearer error="invalid_token"', 'Digest realm="r", nonce="n2"'])?.params['nonce']).toBe('n2');
  });

  it('skips a token68 challenge and tolerates junk', () => {
    expect(parseChallenges('Negotiate abc==, Digest nonce=n, realm=r').at(1)?.params).toEqual({ nonce: 'n', realm: 'r' });
    expect(parseChallenges(undefined)).toEqual([]);
    expect(parseChallenges('   ,  ')).toEqual([]);
    expect(findDigestChallenge('Basic realm="x"')).toBeUndefined();
  });
});
