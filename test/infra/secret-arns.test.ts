import { Token } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { checkCompleteSecretArn, orgSecrets, secretArnRegion } from '../../infra/secret-arns.ts';

const ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:cfn/atlas/profile/default-AbCdEf';

describe('secretArnRegion', () => {
  it('reads the region of a complete ARN, in any partition', () => {
    expect(secretArnRegion(ARN)).toBe('eu-west-1');
    expect(secretArnRegion('arn:aws-us-gov:secretsmanager:us-gov-west-1:123456789012:secret:x-AbCdEf')).toBe('us-gov-west-1');
  });

  it('rejects names and partial ARNs', () => {
    expect(secretArnRegion('cfn/atlas/profile/default')).toBeUndefined();
    expect(secretArnRegion('arn:aws:secretsmanager:eu-west-1:123456789012:secret:cfn/atlas/profile/default')).toBeUndefined();
  });
});

describe('checkCompleteSecretArn', () => {
  it('skips tokens and an unknown stack region', () => {
    expect(() => checkCompleteSecretArn('f', Token.asString({ Ref: 'P' }), 'eu-west-1')).not.toThrow();
    expect(() => checkCompleteSecretArn('f', ARN, undefined)).not.toThrow();
    expect(() => checkCompleteSecretArn('f', ARN, Token.asString({ Ref: 'AWS::Region' }))).not.toThrow();
  });

  it('fails on a partial ARN and on another region, naming the field', () => {
    expect(() => checkCompleteSecretArn('secret', 'atlas', 'eu-west-1')).toThrow(
      /^secret must be a secret's complete ARN, with its 6-character suffix \(given "atlas"\)/,
    );
    expect(() => checkCompleteSecretArn('secret', ARN, 'us-east-1')).toThrow('secret lives in eu-west-1 but the stack deploys to us-east-1');
  });
});

describe('orgSecrets', () => {
  it('lists the orgs that name their own secret, with their index', () => {
    expect(orgSecrets([{ orgId: 'a' }, { orgId: 'b', secretId: ARN } as { orgId: string }])).toEqual([
      { index: 1, orgId: 'b', secretId: ARN },
    ]);
  });
});
