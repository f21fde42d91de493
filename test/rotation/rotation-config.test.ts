import { describe, expect, it } from 'vitest';
import { parseRotationEvent, isRotationEvent } from '../../lambda/rotation/parse-rotation-event.ts';
import { findRotationTarget, parseRotationConfig } from '../../lambda/rotation/rotation-config.ts';
import { RotationRefusedError } from '../../lambda/rotation/errors.ts';
import { classifyEvent } from '../../lambda/runtime/classify-event.ts';

const ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:apps/billing-AbCdEf';
const ORG = 'aaaaaaaaaaaaaaaaaaaaaa01';
const TOKEN = '7f1c2a9e-3b4d-4e5f-8a6b-9c0d1e2f3a4b';

describe('Function: parseRotationConfig', () => {
  it('reads the contract JSON with defaults, and nothing when unset', () => {
    expect(parseRotationConfig(JSON.stringify({ secrets: [{ secretId: ARN, orgId: ORG, graceDays: 3 }] }))).toEqual({
      secrets: [{ secretId: ARN, orgId: ORG, graceDays: 3, secretExpiresAfterHours: 2160 }],
    });
    expect(parseRotationConfig(JSON.stringify({ secrets: [{ secretId: ARN, orgId: ORG }] })).secrets[0]?.graceDays).toBe(7);
    expect(parseRotationConfig(undefined)).toEqual({ secrets: [] });
  });

  it.each([
    ['not JSON', '{', /^ROTATION_CONFIG: must be JSON/],
    ['a secret name instead of its ARN', JSON.stringify({ secrets: [{ secretId: 'apps/billing', orgId: ORG }] }), /ROTATION_CONFIG: secrets\.0\.secretId must be a complete Secrets Manager secret ARN/],
    ['a bad org id', JSON.stringify({ secrets: [{ secretId: ARN, orgId: 'x' }] }), /secrets\.0\.orgId must be 24 lowercase/],
    ['graceDays 0', JSON.stringify({ secrets: [{ secretId: ARN, orgId: ORG, graceDays: 0 }] }), /secrets\.0\.graceDays/],
    ['a secret listed twice', JSON.stringify({ secrets: [{ secretId: ARN, orgId: ORG }, { secretId: ARN, orgId: ORG }] }), /secrets\.1\.secretId is listed twice/],
    ['an unknown field', JSON.stringify({ secrets: [], every: 30 }), /Unrecognized key/],
  ])('rejects %s, naming the variable and the field', (_, text, pattern) => {
    expect(() => parseRotationConfig(text)).toThrow(pattern);
  });
});

describe('Function: findRotationTarget', () => {
  it('refuses a secret that is not configured, before anything is read or changed', () => {
    const config = parseRotationConfig(JSON.stringify({ secrets: [{ secretId: ARN, orgId: ORG }] }));
    expect(findRotationTarget(config, ARN).orgId).toBe(ORG);
    expect(() => findRotationTarget(config, `${ARN}x`)).toThrow(RotationRefusedError);
    expect(() => findRotationTarget(config, `${ARN}x`)).toThrow(/is not configured for rotation by this worker/);
  });
});

describe('Function: parseRotationEvent and the handler classification', () => {
  it('recognises a Secrets Manager rotation event (extra fields such as RotationToken ignored)', () => {
    const event = { SecretId: ARN, ClientRequestToken: TOKEN, Step: 'createSecret', RotationToken: 'opaque' };
    expect(isRotationEvent(event)).toBe(true);
    expect(classifyEvent(event)).toEqual({ type: 'rotation', event });
    expect(parseRotationEvent(event)).toMatchObject({ SecretId: ARN, ClientRequestToken: TOKEN, Step: 'createSecret' });
    expect(classifyEvent({ action: 'sweep', orgId: ORG }).type).toBe('command');
  });

  it('names the bad field of a malformed event', () => {
    expect(() => parseRotationEvent({ SecretId: ARN, ClientRequestToken: TOKEN, Step: 'dropSecret' })).toThrow(
      expect.objectContaining({ field: 'event.Step', message: expect.stringMatching(/Step Invalid option: expected one of "createSecret"/) }),
    );
    expect(() => parseRotationEvent({ SecretId: ARN, ClientRequestToken: 'short', Step: 'setSecret' })).toThrow(/ClientRequestToken must be 32 to 64/);
  });
});
