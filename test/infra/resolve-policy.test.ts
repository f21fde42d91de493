import { describe, expect, it } from 'vitest';
import { resolvePolicy } from '../../infra/resolve-policy.ts';

const orgs = [{ orgId: '5f0000000000000000000001' }];

describe('resolvePolicy', () => {
  it('applies the schema defaults, dry run first', () => {
    const { policy, json } = resolvePolicy({ orgs }, undefined);
    expect(policy.dryRun).toBe(true);
    expect(JSON.parse(json)).toEqual(policy);
  });

  it('keeps the policy’s own dryRun when the prop is absent', () => {
    expect(resolvePolicy({ orgs, dryRun: false }, undefined).policy.dryRun).toBe(false);
  });

  it('lets the prop override the policy’s dryRun, both ways', () => {
    expect(resolvePolicy({ orgs, dryRun: true }, false).policy.dryRun).toBe(false);
    expect(resolvePolicy({ orgs, dryRun: false }, true).policy.dryRun).toBe(true);
  });

  it('fails if a field is bad, naming it after the source', () => {
    expect(() => resolvePolicy({ orgs: [{ orgId: 'x' }] }, true, 'policy.json')).toThrow(/^policy\.json: orgs\.0\.orgId/);
  });

  it('fails if the policy is not an object', () => {
    expect(() => resolvePolicy('not json', true)).toThrow(/policy: is not valid JSON/);
  });
});
