import { describe, expect, it } from 'vitest';
import { createAtlasClient } from '../../lambda/atlas/index.ts';
import { apiPath } from '../../lambda/atlas/inputs/api-path.ts';
import { asPathSegment } from '../../lambda/atlas/inputs/path-segment.ts';
import { validateEntry } from '../../lambda/atlas/inputs/validate-entry.ts';
import { validateObjectId } from '../../lambda/atlas/inputs/validate-object-id.ts';
import { InputValidationError } from '../../lambda/validation/errors.ts';

const ORG = '5f1a2b3c4d5e6f7a8b9c0d1e';
const KEY = '6a1b2c3d4e5f6a7b8c9d0e1f';

// Port 9 (discard) on loopback: nothing listens, so any request that slipped through would fail differently.
const client = createAtlasClient({
  baseUrl: 'http://127.0.0.1:9',
  flavor: 'atlas',
  credentials: { kind: 'digest', publicKey: 'abcdefgh', privateKey: 'private-key-value' },
  retry: { maxAttempts: 1 },
});

describe('Function: validateObjectId', () => {
  it.each([
    ['', 'empty'],
    ['5F1A2B3C4D5E6F7A8B9C0D1E', 'upper case'],
    ['5f1a2b3c4d5e6f7a8b9c0d1', '23 digits'],
    ['5f1a2b3c4d5e6f7a8b9c0d1e0', '25 digits'],
    ['../../../orgs/5f1a2b3c4d', 'path traversal'],
    ['%2e%2e%2f%2e%2e%2f5f1a2b3c', 'encoded traversal'],
    ['5f1a2b3c4d5e6f7a8b9c0d1e/', 'trailing slash'],
    ['5f1a2b3c4d5e6f7a8b9c0d1e?x=1', 'query'],
    ['5f1a2b3c4d5e6f7a8b9c0d1\u0435', 'homoglyph'],
  ])('rejects %j (%s), naming the field and value', (value) => {
    const attempt = () => validateObjectId(value, 'apiUserId');
    expect(attempt).toThrow(InputValidationError);
    expect(attempt).toThrow(`apiUserId: must be 24 lowercase hexadecimal digits, given ${JSON.stringify(value)}`);
  });

  it('rejects non-strings', () => {
    expect(() => validateObjectId(42, 'orgId')).toThrow('orgId: must be 24 lowercase hexadecimal digits, given number');
  });

  it('accepts an id', () => {
    expect(validateObjectId(ORG, 'orgId')).toBe(ORG);
  });
});

describe('Function: validateEntry', () => {
  it.each([
    ['192.0.2.10', '192.0.2.10'],
    ['192.0.2.0/24', '192.0.2.0%2F24'],
    ['192.0.2.10/32', '192.0.2.10'],
    ['2001:db8::1', '2001:db8:0:0:0:0:0:1'],
    ['2001:DB8::/32', '2001:db8:0:0:0:0:0:0%2F32'],
    ['::ffff:192.0.2.1', '0:0:0:0:0:ffff:c000:201'],
  ])('%s → %s', (entry, segment) => {
    expect(validateEntry(entry)).toBe(segment);
  });

  it.each(['../admin', '%2e%2e', '192.0.2.0%2F24', '192.0.2.0/33', '192.0.2.1/24/8', '010.0.0.1', 'fe80::1%eth0', '', ' 192.0.2.1'])(
    'rejects %j',
    (entry) => {
      expect(() => validateEntry(entry)).toThrow(InputValidationError);
    },
  );
});

describe('Function: apiPath / asPathSegment', () => {
  it('joins validated segments', () => {
    const path = apiPath`/orgs/${validateObjectId(ORG, 'orgId')}/apiKeys/${validateObjectId(KEY, 'apiUserId')}/accessList/${validateEntry('192.0.2.0/24')}`;
    expect(path).toBe(`/orgs/${ORG}/apiKeys/${KEY}/accessList/192.0.2.0%2F24`);
  });

  it.each(['..', 'a/b', 'a%2Fb%2F', 'x?y', '', 'a b'])('refuses %j as a segment', (value) => {
    expect(() => asPathSegment(value)).toThrow(/unsafe path segment/);
  });
});

describe('Class: AtlasClient › input validation happens before any request', () => {
  it.each([
    ['deleteOrgKey orgId', () => client.deleteOrgKey('../..', KEY), 'orgId'],
    ['deleteOrgKey apiUserId', () => client.deleteOrgKey(ORG, '%2e%2e'), 'apiUserId'],
    ['removeKeyFromProject groupId', () => client.removeKeyFromProject('nope', KEY), 'groupId'],
    ['deleteAccessListEntry entry', () => client.deleteAccessListEntry(ORG, KEY, '../../apiKeys'), 'entry'],
    ['getOrg', () => client.getOrg('5F1A2B3C4D5E6F7A8B9C0D1E'), 'orgId'],
  ])('%s', async (_name, call, field) => {
    const error = await call().catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(InputValidationError);
    expect((error as InputValidationError).field).toBe(field);
  });

  it('listing methods throw synchronously on a bad id or page option', () => {
    expect(() => client.listOrgKeys('x')).toThrow(/orgId/);
    expect(() => client.listAccessList(ORG, 'x')).toThrow(/apiUserId/);
    expect(() => client.listProjectKeys('x')).toThrow(/groupId/);
    expect(() => client.listOrgProjects('x')).toThrow(/orgId/);
    expect(() => client.listOrgKeys(ORG, { itemsPerPage: 501 })).toThrow('itemsPerPage: must be an integer between 1 and 500 inclusive (given 501)'.replace(' (given 501)', ', given 501'));
    expect(() => client.listOrgKeys(ORG, { startPage: 0 })).toThrow(/startPage/);
  });
});

describe('Function: createAtlasClient › options', () => {
  const credentials = { kind: 'digest', publicKey: 'p', privateKey: 'k' } as const;
  it('fails if baseUrl is not an origin', () => {
    expect(() => createAtlasClient({ baseUrl: 'https://cloud.mongodb.com/api', flavor: 'atlas', credentials })).toThrow(
      /baseUrl: must be an origin only/,
    );
    expect(() => createAtlasClient({ baseUrl: 'ftp://x', flavor: 'atlas', credentials })).toThrow(/baseUrl: must use http or https/);
  });
  it('fails if baseUrl carries credentials, without echoing them', () => {
    const attempt = () => createAtlasClient({ baseUrl: 'https://u:pw-secret@x', flavor: 'atlas', credentials });
    expect(attempt).toThrow('baseUrl: must not carry credentials');
  });
  it('fails on a bad retry policy, naming it', () => {
    expect(() => createAtlasClient({ baseUrl: 'https://x', flavor: 'atlas', credentials, retry: { maxAttempts: 0 } })).toThrow(
      'retry.maxAttempts: must be an integer ≥ 1, given 0',
    );
  });
});
