import fc from 'fast-check';
import type { AccessListEntry, ApiKey } from '../../lambda/atlas/types.ts';
import { parsePolicy } from '../../lambda/policy/parse-policy.ts';
import type { Policy } from '../../lambda/policy/schema.ts';
import type { Inventory } from '../../lambda/policy/types.ts';
import { NOW, ORG_ID, objectId } from './factories.ts';

export const DAY_MS = 86_400_000;

/** Timestamps the generator may write that are not valid ISO-8601 instants. */
export const INVALID_TIMESTAMPS = ['yesterday', '2025-02-30T00:00:00Z', '', '2025-06-01', '2025-06-01T10:00:00'];

/** Addresses that parse; a small pool so that equal, nested and IPv4-mapped addresses meet often. */
export const VALID_ADDRESSES = [
  '10.0.0.1',
  '10.0.0.2',
  '10.0.0.0/24',
  '10.0.0.0/30',
  '192.168.1.1',
  '2001:db8::1',
  '2001:DB8:0:0:0:0:0:2',
  '2001:db8::/32',
  '::ffff:10.0.0.1',
];
const INVALID_ADDRESSES = ['nope', '999.1.1.1', '10.0.0.1/33'];

// Each with exactly one capture group (the schema's rule); the last one also captures text that is not a date.
export const EXPIRY_PATTERNS = ['expires[:=](\\d{4}-\\d{2}-\\d{2})', '(\\d{4}-\\d{2}-\\d{2})', 'prod (\\S+)'];
const DESCRIPTION_PATTERNS = ['^keep', 'prod', '^$'];
const PROTECTED_ENTRIES = ['10.0.0.1', '10.0.0.0/28', '2001:db8::2', '192.168.0.0/16'];

/**
 * From 30 days in the future to ~800 days ago, at any millisecond or on whole days before NOW (so that entries
 * tie for a key's newest evidence, and limits are reached exactly at NOW); sometimes absent or invalid.
 */
const timestamp = fc.oneof(
  { weight: 14, arbitrary: fc.integer({ min: -30 * DAY_MS, max: 800 * DAY_MS }).map((ago) => new Date(NOW.getTime() - ago).toISOString()) },
  { weight: 6, arbitrary: fc.integer({ min: -2, max: 400 }).map((days) => new Date(NOW.getTime() - days * DAY_MS).toISOString()) },
  { weight: 1, arbitrary: fc.constantFrom(...INVALID_TIMESTAMPS) },
);

const address = fc.oneof(
  { weight: 20, arbitrary: fc.constantFrom(...VALID_ADDRESSES) },
  { weight: 1, arbitrary: fc.constantFrom(...INVALID_ADDRESSES) },
);

const entry: fc.Arbitrary<AccessListEntry> = fc
  .record({
    address,
    other: fc.constantFrom(...VALID_ADDRESSES),
    mode: fc.oneof(
      { weight: 12, arbitrary: fc.constantFrom('cidrBlock', 'ipAddress', 'both', 'both') },
      { weight: 1, arbitrary: fc.constantFrom('none', 'conflict') },
    ),
    created: fc.option(timestamp, { nil: undefined }),
    lastUsed: fc.option(timestamp, { nil: undefined }),
  })
  .map(({ address, other, mode, created, lastUsed }) => {
    const where: Record<string, string> = {};
    if (mode === 'cidrBlock' || mode === 'both' || mode === 'conflict') where['cidrBlock'] = address;
    if (mode === 'ipAddress' || mode === 'both') where['ipAddress'] = address;
    if (mode === 'conflict' && other !== address) where['ipAddress'] = other;
    return {
      ...where,
      ...(created !== undefined && { created }),
      ...(lastUsed !== undefined && { lastUsed }),
    };
  });

const description = fc.option(
  fc.oneof(
    fc.constantFrom(
      'ci key',
      'keep: prod',
      'expires:2024-05-01',
      'expires=2030-01-01',
      'expires:2025-02-30',
      'expires:2025-06-01',
      'expires:2025-05-31',
      'prod 2025-01-01',
      'atlas-key-worker:retire-after=2025-05-31',
      'atlas-key-worker:retire-after=2025-06-01',
      'atlas-key-worker:retire-after=2025-02-30',
      'rotated; atlas-key-worker:retire-after=2025-06-20',
      'expires:2030-01-01 atlas-key-worker:retire-after=2024-12-31',
    ),
    fc.string({ maxLength: 16 }),
  ),
  { nil: undefined },
);

const role = fc.oneof(
  fc.constant({ orgId: ORG_ID, roleName: 'ORG_MEMBER' }),
  fc.integer({ min: 0, max: 3 }).map((n) => ({ groupId: objectId(0x100 + n), roleName: 'GROUP_READ_ONLY' })),
);

/** Key numbers 1-40: ids and public keys from them, so policies and `selfPublicKey` hit them often. */
const keyNumber = fc.integer({ min: 1, max: 40 });

// Atlas may answer `"desc": null`; the planner must read that as no description.
const key: fc.Arbitrary<ApiKey> = fc
  .record({ n: keyNumber, desc: fc.oneof({ weight: 12, arbitrary: description }, { weight: 1, arbitrary: fc.constant(null) }), roles: fc.array(role, { maxLength: 4 }) })
  .map(({ n, desc, roles }) => ({ id: objectId(n), publicKey: `pk${n}`, roles, ...(desc !== undefined && { desc }) }) as ApiKey);

export const inventory: fc.Arbitrary<Inventory> = fc
  .record({
    keys: fc.array(fc.record({ key, accessList: fc.array(entry, { maxLength: 5 }) }), { maxLength: 8 }),
    self: fc.option(keyNumber, { nil: undefined }),
  })
  .map(({ keys, self }) => ({ orgId: ORG_ID, keys, ...(self !== undefined && { selfPublicKey: `pk${self}` }) }));

const days = fc.integer({ min: 1, max: 400 });

export const policy: fc.Arbitrary<Policy> = fc
  .record({
    accessListIdleDays: days,
    neverUsedGraceDays: days,
    unassignAfterIdleDays: days,
    extraDeleteDays: fc.integer({ min: 0, max: 400 }),
    keysWithoutAccessList: fc.constantFrom('report', 'ignore'),
    expiryPattern: fc.option(fc.constantFrom(...EXPIRY_PATTERNS), { nil: undefined }),
    ids: fc.array(keyNumber.map(objectId), { maxLength: 3 }),
    publicKeys: fc.array(keyNumber.map((n) => `pk${n}`), { maxLength: 3 }),
    descriptionPatterns: fc.subarray(DESCRIPTION_PATTERNS),
    protectedEntries: fc.subarray(PROTECTED_ENTRIES),
    maxWritesPerOrgPerDay: fc.integer({ min: 0, max: 30 }),
  })
  .map(({ extraDeleteDays, expiryPattern, ids, publicKeys, descriptionPatterns, ...rest }) =>
    parsePolicy({
      orgs: [{ orgId: ORG_ID }],
      ...rest,
      deleteAfterIdleDays: rest.unassignAfterIdleDays + extraDeleteDays,
      protectedKeys: { ids, publicKeys, descriptionPatterns },
      ...(expiryPattern !== undefined && { expiryPattern }),
    }),
  );

/** A later time than NOW, by up to 400 days. */
export const laterThanNow = fc.integer({ min: 0, max: 400 * DAY_MS }).map((ms) => new Date(NOW.getTime() + ms));

/** NOW or later, by up to ~2.5 years: far enough for every limit and date the generators can produce. */
export const notBeforeNow = fc.integer({ min: 0, max: 900 * DAY_MS }).map((ms) => new Date(NOW.getTime() + ms));
