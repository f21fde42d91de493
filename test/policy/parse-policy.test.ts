import { describe, expect, it } from 'vitest';
import { parsePolicy } from '../../lambda/policy/parse-policy.ts';
import { InputValidationError } from '../../lambda/validation/errors.ts';

const org = '0123456789abcdef01234567';

describe('Function: parsePolicy', () => {
  it('fills conservative defaults: dry run, report unknown usage', () => {
    const policy = parsePolicy(JSON.stringify({ orgs: [{ orgId: org }] }));
    expect(policy.dryRun).toBe(true);
    expect(policy.keysWithoutAccessList).toBe('report');
    expect(policy.deleteAfterIdleDays).toBeGreaterThanOrEqual(policy.unassignAfterIdleDays);
  });

  it('fails if deleteAfterIdleDays < unassignAfterIdleDays, naming the field and the values', () => {
    const act = () => parsePolicy({ orgs: [{ orgId: org }], unassignAfterIdleDays: 100, deleteAfterIdleDays: 10 });
    expect(act).toThrow(InputValidationError);
    expect(act).toThrow(/deleteAfterIdleDays must be ≥ unassignAfterIdleDays \(100\), given 10/);
  });

  it('fails if an org id is not 24 lowercase hex digits, with the field path', () => {
    try {
      parsePolicy({ orgs: [{ orgId: org.toUpperCase() }] }, 'KEY_POLICY');
      expect.unreachable();
    } catch (error) {
      expect((error as InputValidationError).field).toBe('KEY_POLICY.orgs.0.orgId');
    }
  });

  it('fails on unknown fields (a typo must not silently fall back to a default)', () => {
    expect(() => parsePolicy({ orgs: [{ orgId: org }], dryrun: false })).toThrow(/dryrun/);
  });

  it('fails if a protected entry is not an IP address or CIDR block, naming its index', () => {
    expect(() => parsePolicy({ orgs: [{ orgId: org }], protectedEntries: ['192.0.2.1', 'my-office'] })).toThrow(
      /protectedEntries\.1 must be an IPv4\/IPv6 address or CIDR block/,
    );
  });

  it('fails on text that is not JSON', () => {
    expect(() => parsePolicy('{orgs:', 'KEY_POLICY')).toThrow(/KEY_POLICY: is not valid JSON/);
  });
});
