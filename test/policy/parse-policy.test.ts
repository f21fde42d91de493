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

describe('Function: parsePolicy (budget, commands, pacing)', () => {
  it('fills the new fields with their defaults', () => {
    const policy = parsePolicy({ orgs: [{ orgId: org }] }, 'policy', () => expect.unreachable('no warning expected'));

    expect(policy).toMatchObject({ maxWritesPerOrgPerDay: 50, commands: 'execute', rateLimitShare: 0.5, fullReadEveryDays: 7 });
    expect(policy).not.toHaveProperty('maxDeletionsPerRun');
  });

  it('accepts the deprecated maxDeletionsPerRun as maxWritesPerOrgPerDay, and says so through onWarning', () => {
    const warnings: string[] = [];

    const policy = parsePolicy({ orgs: [{ orgId: org }], maxDeletionsPerRun: 300 }, 'KEY_POLICY', (message) => warnings.push(message));

    expect(policy.maxWritesPerOrgPerDay).toBe(300);
    expect(policy).not.toHaveProperty('maxDeletionsPerRun');
    expect(warnings).toEqual([
      'KEY_POLICY.maxDeletionsPerRun is deprecated: rename it maxWritesPerOrgPerDay, now a durable write budget per org and UTC day (no longer per run)',
    ]);
  });

  it('emits a process warning for a deprecated field when no onWarning is given (never silent)', async () => {
    const warning = new Promise<Error>((resolve) => process.once('warning', resolve));

    parsePolicy(JSON.stringify({ orgs: [{ orgId: org }], maxDeletionsPerRun: 10 }), 'KEY_POLICY');

    await expect(warning).resolves.toMatchObject({ name: 'DeprecationWarning', message: /KEY_POLICY\.maxDeletionsPerRun is deprecated/ });
  });

  it('fails if both maxWritesPerOrgPerDay and maxDeletionsPerRun are given, naming both', () => {
    const act = () => parsePolicy({ orgs: [{ orgId: org }], maxWritesPerOrgPerDay: 10, maxDeletionsPerRun: 20 });

    expect(act).toThrow(/maxDeletionsPerRun and maxWritesPerOrgPerDay are both given/);
  });

  it.each([-1, 100_001, 2.5])('fails if maxWritesPerOrgPerDay is %d', (value) => {
    expect(() => parsePolicy({ orgs: [{ orgId: org }], maxWritesPerOrgPerDay: value })).toThrow(/maxWritesPerOrgPerDay/);
  });

  it.each([0, 100_000])('accepts maxWritesPerOrgPerDay %d', (value) => {
    expect(parsePolicy({ orgs: [{ orgId: org }], maxWritesPerOrgPerDay: value }).maxWritesPerOrgPerDay).toBe(value);
  });

  it.each(['execute', 'dry-run', 'reject'] as const)('accepts commands %j', (commands) => {
    expect(parsePolicy({ orgs: [{ orgId: org }], commands }).commands).toBe(commands);
  });

  it('fails if commands is not one of execute, dry-run, reject', () => {
    expect(() => parsePolicy({ orgs: [{ orgId: org }], commands: 'dryRun' })).toThrow(/commands/);
  });

  it.each([0, -0.5, 1.01, Number.NaN])('fails if rateLimitShare is %d (0 < share ≤ 1)', (rateLimitShare) => {
    expect(() => parsePolicy({ orgs: [{ orgId: org }], rateLimitShare })).toThrow(/rateLimitShare/);
  });

  it.each([0.01, 1])('accepts rateLimitShare %d', (rateLimitShare) => {
    expect(parsePolicy({ orgs: [{ orgId: org }], rateLimitShare }).rateLimitShare).toBe(rateLimitShare);
  });

  it.each([0, 366, 1.5])('fails if fullReadEveryDays is %d (whole days, 1-365)', (fullReadEveryDays) => {
    expect(() => parsePolicy({ orgs: [{ orgId: org }], fullReadEveryDays })).toThrow(/fullReadEveryDays/);
  });
});

describe('Function: parsePolicy (orgs)', () => {
  const withOrg = (fields: Record<string, unknown>) => parsePolicy({ orgs: [{ orgId: org, ...fields }] }, 'KEY_POLICY');
  const fieldOf = (act: () => unknown) => {
    try {
      act();
    } catch (error) {
      return (error as InputValidationError).field;
    }
    return undefined;
  };

  it.each([
    'https://cloud.mongodb.com',
    'https://opsmanager.example.com:8443',
    'http://127.0.0.1:8080',
    'http://127.10.20.30',
    'http://localhost:3000',
    'http://[::1]:9000',
  ])('accepts baseUrl %s', (baseUrl) => {
    expect(withOrg({ baseUrl }).orgs[0]?.baseUrl).toBe(baseUrl);
  });

  it.each([
    ['plain http to a remote host', 'http://cloud.mongodb.com', /must use https:\/\/ .*given http:\/\/cloud\.mongodb\.com/],
    ['plain http to a private address', 'http://10.0.0.1', /must use https:\/\//],
    ['a host that only starts like localhost', 'http://localhost.example.com', /must use https:\/\//],
    ['another scheme', 'ftp://cloud.mongodb.com', /must use https:\/\//],
    ['no URL at all', 'cloud.mongodb.com', /must be an absolute URL/],
  ])('fails on a baseUrl with %s, naming the field', (_, baseUrl, message) => {
    expect(() => withOrg({ baseUrl })).toThrow(message);
    expect(fieldOf(() => withOrg({ baseUrl }))).toBe('KEY_POLICY.orgs.0.baseUrl');
  });

  it('fails on a baseUrl carrying credentials without echoing them', () => {
    const act = () => withOrg({ baseUrl: 'https://user:s3cr3t-value@cloud.mongodb.com' });

    expect(act).toThrow(/must not contain credentials/);
    expect(act).not.toThrow(/s3cr3t/);
  });

  it.each([
    'atlas/worker',
    'cfn/atlas/profile/default',
    'arn:aws:secretsmanager:eu-west-1:123456789012:secret:atlas/worker-AbCdEf',
    'arn:aws-us-gov:secretsmanager:us-gov-west-1:123456789012:secret:x',
  ])('accepts secretId %s', (secretId) => {
    expect(withOrg({ secretId }).orgs[0]?.secretId).toBe(secretId);
  });

  it.each([
    ['empty', ''],
    ['whitespace', 'atlas/worker '],
    ['an inner space', 'atlas worker'],
    ['an ARN of another service', 'arn:aws:s3:::bucket'],
    ['an ARN without account', 'arn:aws:secretsmanager:eu-west-1::secret:x'],
    ['a character names cannot hold', 'atlas#worker'],
  ])('fails on a secretId that is %s, naming the field', (_, secretId) => {
    expect(fieldOf(() => withOrg({ secretId }))).toBe('KEY_POLICY.orgs.0.secretId');
  });
});

describe('Function: parsePolicy (patterns and protected keys)', () => {
  const fieldAndMessage = (input: Record<string, unknown>) => {
    try {
      parsePolicy({ orgs: [{ orgId: org }], ...input });
    } catch (error) {
      return { field: (error as InputValidationError).field, message: (error as Error).message };
    }
    return undefined;
  };

  it.each([
    ['a backreference', '(a)\\1', /uses a backreference/],
    ['a named backreference', '(?<x>a)\\k<x>', /uses a backreference/],
    ['a lookahead', 'key(?=-prod)', /uses lookaround/],
    ['a negative lookahead', '^(?!tmp)', /uses lookaround/],
    ['a lookbehind', '(?<=prod-)key', /uses lookaround/],
    ['a negative lookbehind', '(?<!tmp-)key', /uses lookaround/],
    ['a syntax error', 'keep[', /is not a valid regular expression \(.*missing closing \]/],
  ])('fails on a description pattern with %s, naming the pattern', (_, pattern, message) => {
    const failure = fieldAndMessage({ protectedKeys: { descriptionPatterns: ['^keep', pattern] } });

    expect(failure?.field).toBe('policy.protectedKeys.descriptionPatterns.1');
    expect(failure?.message).toMatch(message);
    expect(failure?.message).toMatch(/RE2 syntax/);
  });

  it('accepts RE2 syntax, including named groups and Unicode classes', () => {
    const policy = parsePolicy({
      orgs: [{ orgId: org }],
      protectedKeys: { descriptionPatterns: ['^(?P<team>\\w+)-prod', '\\p{Greek}', '(?i)^KEEP'] },
    });

    expect(policy.protectedKeys.descriptionPatterns).toHaveLength(3);
  });

  it.each([
    ['no capture group', 'expires:\\d{4}-\\d{2}-\\d{2}', /must have exactly 1 capture group, found 0/],
    ['two capture groups', '(expires):(\\d{4}-\\d{2}-\\d{2})', /must have exactly 1 capture group, found 2/],
    ['a lookahead', 'expires:(\\d{4}-\\d{2}-\\d{2})(?=$)', /uses lookaround/],
  ])('fails on an expiryPattern with %s', (_, expiryPattern, message) => {
    const failure = fieldAndMessage({ expiryPattern });

    expect(failure?.field).toBe('policy.expiryPattern');
    expect(failure?.message).toMatch(message);
  });

  it('accepts an expiryPattern with one capture group plus non-capturing groups', () => {
    const expiryPattern = '(?:expires|until)[:=](\\d{4}-\\d{2}-\\d{2})';

    expect(parsePolicy({ orgs: [{ orgId: org }], expiryPattern }).expiryPattern).toBe(expiryPattern);
  });

  it.each(['abcdefgh ', ' abcdefgh', 'abcd efgh', 'abcdefgh\n'])(
    'fails on a protected public key with whitespace (%j), rather than trimming it',
    (publicKey) => {
      const failure = fieldAndMessage({ protectedKeys: { publicKeys: ['qrstuvwx', publicKey] } });

      expect(failure?.field).toBe('policy.protectedKeys.publicKeys.1');
      expect(failure?.message).toMatch(/must not contain whitespace/);
    },
  );
});
