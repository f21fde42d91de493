import { describe, expect, it } from 'vitest';
import { resolveSecret } from '../../lambda/credentials/resolve-secret.ts';
import { parseAtlasSecret } from '../../lambda/credentials/secret-shape.ts';
import { secretWithCredential } from '../../lambda/credentials/write-secret-value.ts';

const PRIVATE = '22222222-2222-4222-8222-222222222222';

describe('Function: parseAtlasSecret', () => {
  it("reads ours and MongoDB's profile shape, keeping every other field", () => {
    // Act
    const ours = parseAtlasSecret(JSON.stringify({ publicKey: 'appkeyzz', privateKey: PRIVATE, flavor: 'ops-manager', baseUrl: 'https://om.example.com:8443', team: 'x' }), 's');
    const profile = parseAtlasSecret({ PublicKey: 'appkeyzz', PrivateKey: PRIVATE, BaseUrl: 'https://cloud.mongodb.com/', Profile: 'default' }, 's');
    const account = parseAtlasSecret({ clientId: 'mdb_sa_id_0123456789abcdef0123456a', clientSecret: 'mdb_sa_sk_x', orgId: 'aaaaaaaaaaaaaaaaaaaaaa01' }, 's');

    // Assess
    expect(ours).toMatchObject({ kind: 'apiKey', shape: 'ours', publicKey: 'appkeyzz', flavor: 'ops-manager', fields: { team: 'x' } });
    expect(profile).toMatchObject({ kind: 'apiKey', shape: 'profile', publicKey: 'appkeyzz', privateKey: PRIVATE, baseUrl: 'https://cloud.mongodb.com/' });
    expect(account).toMatchObject({ kind: 'serviceAccount', clientId: 'mdb_sa_id_0123456789abcdef0123456a', fields: { orgId: 'aaaaaaaaaaaaaaaaaaaaaa01' } });
    expect(resolveSecret(JSON.stringify({ PublicKey: 'appkeyzz', PrivateKey: PRIVATE }), 'secret:x')).toEqual({
      credentials: { kind: 'digest', publicKey: 'appkeyzz', privateKey: PRIVATE },
      baseUrl: 'https://cloud.mongodb.com',
      flavor: 'atlas',
      source: 'secret:x',
    });
  });

  it.each([
    ['not JSON', 'nope', /secret is not JSON/],
    ['an array', '[]', /must be a JSON object/],
    ['no credential', '{"orgId":"x"}', /holds no Atlas credential/],
    ['mixed shapes', `{"publicKey":"a","privateKey":"b","PublicKey":"a","PrivateKey":"b"}`, /mixes credential shapes \(ours-key and profile\)/],
    ['a profile without its private key', '{"PublicKey":"appkeyzz"}', /profile \{PublicKey, PrivateKey, BaseUrl\?\}: PrivateKey/],
    ['plain http off loopback', `{"publicKey":"a","privateKey":"b","baseUrl":"http://atlas.example.com"}`, /baseUrl must be an https URL/],
    ['an apiUserId that is not an id', `{"publicKey":"a","privateKey":"b","apiUserId":"../x"}`, /apiUserId must be 24 lowercase/],
  ])('rejects %s with an error naming the source and field, never a value', (_, text, pattern) => {
    const error = (() => {
      try {
        parseAtlasSecret(text, 'secret:arn:x');
      } catch (caught) {
        return caught as Error;
      }
      return undefined;
    })();
    expect(error?.message).toMatch(/^secret:arn:x: /);
    expect(error?.message).toMatch(pattern);
    expect(error?.message).not.toContain('"b"');
  });
});

describe('Function: secretWithCredential', () => {
  it('writes the new key back in the secret own shape, other fields kept in place', () => {
    // Prepare
    const profile = parseAtlasSecret({ Profile: 'default', PublicKey: 'appkeyzz', PrivateKey: PRIVATE, BaseUrl: 'https://cloud.mongodb.com/' }, 's');
    const ours = parseAtlasSecret({ apiUserId: 'cccccccccccccccccccccc02', publicKey: 'appkeyzz', privateKey: PRIVATE, note: 'n' }, 's');
    const credential = { kind: 'apiKey', publicKey: 'newkeyzz', privateKey: 'new-private', apiUserId: 'cccccccccccccccccccccc09' } as const;

    // Act
    const profileText = secretWithCredential(profile, credential);
    const oursText = secretWithCredential(ours, credential);

    // Assess
    expect(profileText).toBe('{"Profile":"default","PublicKey":"newkeyzz","PrivateKey":"new-private","BaseUrl":"https://cloud.mongodb.com/"}');
    expect(oursText).toBe('{"apiUserId":"cccccccccccccccccccccc09","publicKey":"newkeyzz","privateKey":"new-private","note":"n"}');
  });

  it('adds no field the secret did not have, and replaces only the secret of a service account', () => {
    const ours = parseAtlasSecret({ publicKey: 'appkeyzz', privateKey: PRIVATE }, 's');
    const account = parseAtlasSecret({ clientId: 'mdb_sa_id_0123456789abcdef0123456a', clientSecret: 'old', orgId: 'o' }, 's');
    expect(JSON.parse(secretWithCredential(ours, { kind: 'apiKey', publicKey: 'p', privateKey: 'k', apiUserId: 'i' }))).toEqual({ publicKey: 'p', privateKey: 'k' });
    expect(secretWithCredential(account, { kind: 'serviceAccount', clientSecret: 'new' })).toBe(
      '{"clientId":"mdb_sa_id_0123456789abcdef0123456a","clientSecret":"new","orgId":"o"}',
    );
    expect(() => secretWithCredential(account, { kind: 'apiKey', publicKey: 'p', privateKey: 'k', apiUserId: 'i' })).toThrow(TypeError);
  });
});
