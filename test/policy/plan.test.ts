import { describe, expect, it } from 'vitest';
import { plan } from '../../lambda/policy/plan.ts';
import type { ApiKey } from '../../lambda/atlas/types.ts';
import type { Policy } from '../../lambda/policy/schema.ts';
import type { Inventory, Plan } from '../../lambda/policy/types.ts';
import {
  buildInventory,
  buildKey,
  buildPolicy,
  daysAgo,
  keyInventory,
  NOW,
  ORG_ID,
  objectId,
  projectRoles,
  unusedEntry,
  usedEntry,
} from './factories.ts';
import { applyPrunes } from './oracle.ts';

const FRESH = '198.51.100.1';
const OLD = '198.51.100.2';
const PROJECT_A = objectId(0xa);
const PROJECT_B = objectId(0xb);

const kinds = (result: Plan) => result.actions.map((action) => action.kind);
const prunedEntries = (result: Plan) =>
  result.actions.flatMap((action) => (action.kind === 'pruneAccessListEntry' ? [action.entry] : []));

describe('Function: plan', () => {
  describe('rule 1: entry staleness', () => {
    it('prunes an entry last used exactly accessListIdleDays ago, not one a millisecond younger', () => {
      // Prepare
      const justStale = usedEntry('198.51.100.10', 90);
      const almost = { ...usedEntry('198.51.100.11', 90), lastUsed: new Date(Date.parse(daysAgo(90)) + 1).toISOString() };
      const inventory = buildInventory([keyInventory(buildKey(1), [justStale, almost, usedEntry(FRESH, 1)])]);

      // Act
      const result = plan(inventory, buildPolicy({ accessListIdleDays: 90 }), NOW);

      // Assess
      expect(prunedEntries(result)).toEqual(['198.51.100.10']);
      expect(result.actions[0]?.evidence).toMatchObject({ idleDays: 90, limitDays: 90, lastUsed: justStale.lastUsed });
    });

    it('prunes a never-used entry created exactly neverUsedGraceDays ago, not one created a day later', () => {
      const inventory = buildInventory([
        keyInventory(buildKey(1), [unusedEntry('198.51.100.10', 30), unusedEntry('198.51.100.11', 29), usedEntry(FRESH, 1)]),
      ]);

      const result = plan(inventory, buildPolicy({ neverUsedGraceDays: 30 }), NOW);

      expect(prunedEntries(result)).toEqual(['198.51.100.10']);
      expect(result.actions[0]?.reason).toBe('entry 198.51.100.10 never used, created 30 days ago ≥ 30: prune from access list');
    });

    it('counts a timestamp in the future as now (age 0): not stale', () => {
      const future = { cidrBlock: OLD, created: daysAgo(-400), lastUsed: daysAgo(-400) };
      const inventory = buildInventory([keyInventory(buildKey(1), [future, usedEntry(FRESH, 1)])]);

      const result = plan(inventory, buildPolicy(), NOW);

      expect(result.actions).toEqual([]);
      expect(result.findings).toEqual([]);
    });

    it.each([
      ['neither timestamp', { cidrBlock: OLD }],
      ['an unparseable lastUsed', { cidrBlock: OLD, created: daysAgo(900), lastUsed: 'last year' }],
      ['a lastUsed that is not a calendar date', { cidrBlock: OLD, lastUsed: '2020-02-30T00:00:00Z' }],
      ['an unparseable created', { cidrBlock: OLD, created: '2020-01-01' }],
    ])('treats an entry with %s as unknown: never pruned', (_, unknown) => {
      const inventory = buildInventory([keyInventory(buildKey(1), [unknown, usedEntry(FRESH, 1)])]);

      const result = plan(inventory, buildPolicy(), NOW);

      expect(result.actions).toEqual([]);
      expect(result.findings.map((finding) => finding.kind)).toEqual(['usage-unknown']);
    });
  });

  describe('rule 2: key idle reference', () => {
    it('takes the newest of lastUsed ?? created over the entries', () => {
      // A new, never-used entry means someone is setting the key up: it is not idle.
      const inventory = buildInventory([
        keyInventory(buildKey(1, { roles: projectRoles(PROJECT_A) }), [usedEntry(OLD, 400), unusedEntry(FRESH, 10)]),
      ]);

      const result = plan(inventory, buildPolicy(), NOW);

      expect(kinds(result)).toEqual(['pruneAccessListEntry']);
      expect(prunedEntries(result)).toEqual([OLD]);
    });

    it('reports a key with no entries as usage-unknown and plans nothing for it', () => {
      const inventory = buildInventory([keyInventory(buildKey(1, { roles: projectRoles(PROJECT_A) }), [])]);

      const result = plan(inventory, buildPolicy({ keysWithoutAccessList: 'report' }), NOW);

      expect(result.actions).toEqual([]);
      expect(result.findings).toEqual([
        {
          orgId: ORG_ID,
          apiUserId: objectId(1),
          kind: 'usage-unknown',
          reason: 'no access-list entries: last use unknown, key kept',
          evidence: { publicKey: 'pk000001', desc: 'key 1' },
        },
      ]);
    });

    it('says nothing about a key with no entries when keysWithoutAccessList is ignore', () => {
      const inventory = buildInventory([keyInventory(buildKey(1), [])]);

      const result = plan(inventory, buildPolicy({ keysWithoutAccessList: 'ignore' }), NOW);

      expect(result).toMatchObject({ actions: [], findings: [] });
    });

    it('never deletes or unassigns a partially unknown key, and always reports it', () => {
      const inventory = buildInventory([
        keyInventory(buildKey(1, { roles: projectRoles(PROJECT_A) }), [
          usedEntry(OLD, 900),
          usedEntry('198.51.100.3', 400),
          { cidrBlock: FRESH },
        ]),
      ]);

      const result = plan(inventory, buildPolicy({ keysWithoutAccessList: 'ignore' }), NOW);

      // Stale entries are judged on their own; the unknown one remains, and so does the newest known evidence
      // (.3): should the unknown entry's timestamps turn up later, the key's idle time is what it was.
      expect(result.actions).toMatchObject([{ kind: 'pruneAccessListEntry', entry: OLD }]);
      expect(result.findings).toMatchObject([
        { kind: 'usage-unknown', reason: `access-list entry ${FRESH}: neither lastUsed nor created: last use unknown, key kept` },
      ]);
    });
  });

  describe('rule 3: staged revocation', () => {
    it('deletes a key idle exactly deleteAfterIdleDays, and plans nothing else for it', () => {
      const inventory = buildInventory([
        keyInventory(buildKey(1, { roles: projectRoles(PROJECT_A, PROJECT_B) }), [usedEntry(OLD, 180), usedEntry(FRESH, 180)]),
      ]);

      const result = plan(inventory, buildPolicy({ deleteAfterIdleDays: 180 }), NOW);

      expect(kinds(result)).toEqual(['deleteOrgKey']);
      expect(result.actions[0]?.reason).toBe('idle 180 days ≥ 180: delete org key');
    });

    it('removes a key idle exactly unassignAfterIdleDays from each distinct project', () => {
      const key = buildKey(1, { roles: [...projectRoles(PROJECT_A, PROJECT_B), { groupId: PROJECT_A, roleName: 'GROUP_OWNER' }] });
      const inventory = buildInventory([keyInventory(key, [usedEntry(OLD, 120), usedEntry(FRESH, 90)])]);

      const result = plan(inventory, buildPolicy({ accessListIdleDays: 365, unassignAfterIdleDays: 90 }), NOW);

      expect(result.actions).toMatchObject([
        { kind: 'unassignFromProject', groupId: PROJECT_A, reason: `idle 90 days ≥ 90: remove from project ${PROJECT_A}` },
        { kind: 'unassignFromProject', groupId: PROJECT_B },
      ]);
    });

    it('does nothing at the key level one day short of unassignAfterIdleDays', () => {
      const inventory = buildInventory([keyInventory(buildKey(1, { roles: projectRoles(PROJECT_A) }), [usedEntry(OLD, 89)])]);

      const result = plan(inventory, buildPolicy({ unassignAfterIdleDays: 90 }), NOW);

      expect(result.actions).toEqual([]);
    });

    it('plans no unassign for an idle key without project roles', () => {
      const inventory = buildInventory([keyInventory(buildKey(1), [usedEntry(OLD, 100)])]);

      const result = plan(inventory, buildPolicy({ accessListIdleDays: 365 }), NOW);

      expect(result.actions).toEqual([]);
    });
  });

  describe('rule 4: pruning', () => {
    it('prunes a stale entry by its normalised address when a fresh one remains', () => {
      const stale = { ipAddress: '2001:DB8:0:0:0:0:0:1', created: daysAgo(500), lastUsed: daysAgo(100) };
      const inventory = buildInventory([keyInventory(buildKey(1), [stale, usedEntry(FRESH, 1)])]);

      const result = plan(inventory, buildPolicy(), NOW);

      expect(result.actions).toEqual([
        {
          orgId: ORG_ID,
          apiUserId: objectId(1),
          kind: 'pruneAccessListEntry',
          entry: '2001:db8::1',
          reason: 'entry 2001:db8::1 last used 100 days ago ≥ 90: prune from access list',
          evidence: { publicKey: 'pk000001', desc: 'key 1', lastUsed: stale.lastUsed, idleDays: 100, limitDays: 90 },
        },
      ]);
    });

    it('never prunes every entry of a key: all stale means none pruned', () => {
      const inventory = buildInventory([keyInventory(buildKey(1), [usedEntry(OLD, 100), unusedEntry(FRESH, 100)])]);

      const result = plan(inventory, buildPolicy(), NOW);

      expect(result.actions).toEqual([]);
    });

    it('keeps a protected entry, reports it, and counts it as remaining', () => {
      const inventory = buildInventory([keyInventory(buildKey(1), [usedEntry(OLD, 120), usedEntry(FRESH, 100)])]);

      const result = plan(inventory, buildPolicy({ protectedEntries: [`${FRESH}/32`] }), NOW);

      expect(prunedEntries(result)).toEqual([OLD]);
      expect(result.findings).toMatchObject([
        { kind: 'protected-entry', reason: `entry ${FRESH} last used 100 days ago ≥ 90: protected by policy (${FRESH}/32), kept` },
      ]);
    });

    it.each([
      ['inside a protected block', '198.51.100.0/24', '198.51.100.7'],
      ['a block containing a protected address', '198.51.100.7', '198.51.100.0/24'],
      ['an IPv4-mapped IPv6 form of a protected address', '198.51.100.7', '::ffff:198.51.100.7'],
    ])('treats an entry %s as protected', (_, protectedEntry, entry) => {
      const inventory = buildInventory([keyInventory(buildKey(1), [usedEntry(entry, 100), usedEntry(FRESH, 1)])]);

      const result = plan(inventory, buildPolicy({ protectedEntries: [protectedEntry] }), NOW);

      expect(result.actions).toEqual([]);
      expect(result.findings.map((finding) => finding.kind)).toEqual(['protected-entry']);
    });

    it('disables pruning when a protected entry does not parse (the policy cannot be honoured)', () => {
      // The schema rejects such a policy; the planner still defends itself against one built without it.
      const inventory = buildInventory([keyInventory(buildKey(1), [usedEntry(OLD, 100), usedEntry(FRESH, 1)])]);

      const result = plan(inventory, { ...buildPolicy(), protectedEntries: ['my-office'] }, NOW);

      expect(result.actions).toEqual([]);
      expect(result.findings[0]?.reason).toMatch(/"my-office", not an address: pruning disabled/);
    });

    it('prunes an address only when every entry with it is stale, once', () => {
      const inventory = buildInventory([
        keyInventory(buildKey(1), [
          usedEntry(OLD, 100),
          { ...usedEntry(OLD, 120), cidrBlock: `${OLD}/32` },
          usedEntry('198.51.100.3', 100),
          usedEntry('198.51.100.3', 1),
          usedEntry(FRESH, 1),
        ]),
      ]);

      const result = plan(inventory, buildPolicy(), NOW);

      expect(prunedEntries(result)).toEqual([OLD]);
      expect(result.actions[0]?.evidence.idleDays).toBe(100);
    });

    it('skips malformed entries without throwing, and they make the key usage-unknown, never deletable', () => {
      const inventory = buildInventory([
        keyInventory(buildKey(1), [
          { created: daysAgo(900), lastUsed: daysAgo(900) },
          { ipAddress: '999.1.1.1', created: daysAgo(900), lastUsed: daysAgo(900) },
          { ipAddress: '198.51.100.9', cidrBlock: '198.51.100.0/24', created: daysAgo(900), lastUsed: daysAgo(900) },
          usedEntry(OLD, 900),
          usedEntry(FRESH, 1),
        ]),
      ]);

      const result = plan(inventory, buildPolicy(), NOW);

      expect(result.actions).toMatchObject([{ kind: 'pruneAccessListEntry', entry: OLD }]);
      expect(result.findings).toMatchObject([{ kind: 'usage-unknown', reason: /entry #1 has no valid address/ }]);
    });

    it('does not count malformed entries as remaining', () => {
      const inventory = buildInventory([keyInventory(buildKey(1), [{ ipAddress: 'nope' }, usedEntry(OLD, 100)])]);

      const result = plan(inventory, buildPolicy(), NOW);

      expect(result.actions).toEqual([]);
    });
  });

  describe('rule 4b: pruning never changes a key\'s idle time (issue 11, case 1)', () => {
    const DAY_MS = 86_400_000;
    const dayAfter = (date: Date, days = 1) => new Date(date.getTime() + days * DAY_MS);
    const sweep = (inventory: Inventory, policy: Policy, now: Date) => {
      const result = plan(inventory, policy, now);
      return { result, after: applyPrunes(inventory, result.actions) };
    };

    it('keeps the entry used 100 days ago beside a protected one used 300 days ago; a second sweep deletes nothing', () => {
      const key = buildKey(1, { roles: projectRoles(PROJECT_A) });
      const inventory = buildInventory([keyInventory(key, [usedEntry('10.1.2.3', 300), usedEntry('203.0.113.5', 100)])]);
      const policy = buildPolicy({ protectedEntries: ['10.0.0.0/8'] });

      const first = sweep(inventory, policy, NOW);
      const second = sweep(first.after, policy, NOW);

      expect(prunedEntries(first.result)).toEqual([]);
      expect(first.result.actions).toMatchObject([
        { kind: 'unassignFromProject', groupId: PROJECT_A, evidence: { idleDays: 100, limitDays: 90 } },
      ]);
      expect(kinds(second.result)).toEqual(['unassignFromProject']);
      expect(second.result.actions[0]?.evidence.idleDays).toBe(100);
    });

    it('keeps a never-used entry created 31 days ago when it is the newest evidence: no unassign the next day', () => {
      const key = buildKey(1, { roles: projectRoles(PROJECT_A) });
      const inventory = buildInventory([keyInventory(key, [unusedEntry(FRESH, 31), usedEntry(OLD, 89)])]);
      const policy = buildPolicy();

      const first = sweep(inventory, policy, NOW);
      const nextDay = sweep(first.after, policy, dayAfter(NOW));
      // Unassigned when the newest evidence (the entry's creation) is 90 days old: 59 days later, not the next day.
      const dayBefore = plan(nextDay.after, policy, dayAfter(NOW, 58));
      const due = plan(nextDay.after, policy, dayAfter(NOW, 59));

      expect(first.result.actions).toEqual([]);
      // The next day the 90-day-old entry is stale and goes; the newest evidence stays.
      expect(nextDay.result.actions).toMatchObject([{ kind: 'pruneAccessListEntry', entry: OLD }]);
      expect(dayBefore.actions).toEqual([]);
      expect(due.actions).toMatchObject([
        { kind: 'unassignFromProject', evidence: { created: inventory.keys[0]?.accessList[0]?.created, idleDays: 90 } },
      ]);
    });

    it('keeps every entry tied for the newest evidence, and prunes the older stale ones', () => {
      const entries = [usedEntry(OLD, 200), usedEntry(FRESH, 100), usedEntry('198.51.100.3', 100), usedEntry('198.51.100.4', 150)];
      const inventory = buildInventory([keyInventory(buildKey(1), entries)]);

      const result = plan(inventory, buildPolicy(), NOW);

      expect(prunedEntries(result)).toEqual([OLD, '198.51.100.4']);
    });
  });

  describe('rule 5a: retirement tag (rotation)', () => {
    const tagged = (desc: string, overrides: Partial<ApiKey> = {}) => buildKey(1, { desc, roles: projectRoles(PROJECT_A), ...overrides });

    it('deletes a key the day after its retire-after date, in use or not, without an expiryPattern', () => {
      const key = tagged('app key (rotated); atlas-key-worker:retire-after=2025-05-31');
      const inventory = buildInventory([keyInventory(key, [usedEntry(FRESH, 0)])]);

      const result = plan(inventory, buildPolicy(), NOW);

      expect(result.actions).toEqual([
        {
          orgId: ORG_ID,
          apiUserId: key.id,
          kind: 'deleteOrgKey',
          reason: 'retired by rotation: retire-after 2025-05-31 passed',
          evidence: {
            publicKey: key.publicKey,
            desc: key.desc,
            lastUsed: daysAgo(0),
            idleDays: 0,
            expiresOn: '2025-05-31',
          },
        },
      ]);
    });

    it('lets a key be used all of its retire-after day (UTC)', () => {
      const inventory = buildInventory([keyInventory(tagged('atlas-key-worker:retire-after=2025-06-01'), [usedEntry(FRESH, 0)])]);

      expect(plan(inventory, buildPolicy(), NOW).actions).toEqual([]);
      expect(kinds(plan(inventory, buildPolicy(), new Date('2025-06-02T00:00:00Z')))).toEqual(['deleteOrgKey']);
    });

    it('honours the tag whatever the expiryPattern finds, and before it', () => {
      const key = tagged('expires:2030-01-01 atlas-key-worker:retire-after=2025-01-15');
      const inventory = buildInventory([keyInventory(key, [usedEntry(FRESH, 0)])]);

      const result = plan(inventory, buildPolicy({ expiryPattern: 'expires:(\\d{4}-\\d{2}-\\d{2})' }), NOW);

      expect(result.actions).toMatchObject([{ kind: 'deleteOrgKey', evidence: { expiresOn: '2025-01-15' } }]);
    });

    it('ignores a tag whose date is not a calendar date', () => {
      const inventory = buildInventory([keyInventory(tagged('atlas-key-worker:retire-after=2025-02-30'), [usedEntry(FRESH, 0)])]);

      expect(plan(inventory, buildPolicy(), NOW).actions).toEqual([]);
    });

    it("leaves a protected key and the worker's own key untouched, with a finding only", () => {
      const key = tagged('atlas-key-worker:retire-after=2020-01-01');
      const inventory = buildInventory([keyInventory(key, [usedEntry(FRESH, 0)])]);

      const asSelf = plan(buildInventory(inventory.keys, { selfPublicKey: key.publicKey }), buildPolicy(), NOW);
      const asProtected = plan(inventory, buildPolicy({ protectedKeys: { ids: [key.id] } }), NOW);

      expect(asSelf).toMatchObject({ actions: [], findings: [{ kind: 'self' }] });
      expect(asProtected).toMatchObject({ actions: [], findings: [{ kind: 'protected' }] });
    });
  });

  describe('rule 5: expiry', () => {
    const expiryPattern = 'expires[:=](\\d{4}-\\d{2}-\\d{2})';

    it('deletes a key whose description date has passed, whatever its usage', () => {
      const key = buildKey(1, { desc: 'ci deploy, expires:2025-05-31', roles: projectRoles(PROJECT_A) });
      const inventory = buildInventory([keyInventory(key, [])]);

      const result = plan(inventory, buildPolicy({ expiryPattern }), NOW);

      expect(result.actions).toEqual([
        {
          orgId: ORG_ID,
          apiUserId: objectId(1),
          kind: 'deleteOrgKey',
          reason: 'expired on 2025-05-31 (per description): delete org key',
          evidence: { publicKey: 'pk000001', desc: 'ci deploy, expires:2025-05-31', expiresOn: '2025-05-31' },
        },
      ]);
      expect(result.findings).toEqual([]);
    });

    it('lets a key be used all of its expiry day (UTC)', () => {
      const inventory = buildInventory([keyInventory(buildKey(1, { desc: 'expires=2025-06-01' }), [usedEntry(FRESH, 1)])]);

      const result = plan(inventory, buildPolicy({ expiryPattern }), NOW);

      expect(result.actions).toEqual([]);
    });

    it.each(['expires:2025-02-30', 'expires:2025-13-01', 'expires:2025-00-10'])(
      'ignores an invalid date (%s)',
      (desc) => {
        const inventory = buildInventory([keyInventory(buildKey(1, { desc }), [usedEntry(FRESH, 1)])]);

        const result = plan(inventory, buildPolicy({ expiryPattern }), NOW);

        expect(result.actions).toEqual([]);
      },
    );

    it('ignores dates in descriptions when the policy has no expiryPattern', () => {
      const inventory = buildInventory([keyInventory(buildKey(1, { desc: 'expires:2020-01-01' }), [usedEntry(FRESH, 1)])]);

      const result = plan(inventory, buildPolicy(), NOW);

      expect(result.actions).toEqual([]);
    });
  });

  describe('rule 6: self and protected keys', () => {
    const idleEverywhere = [usedEntry(OLD, 900), usedEntry(FRESH, 900)];
    const policy = buildPolicy({ expiryPattern: 'expires:(\\S+)' });
    const key = buildKey(1, { desc: 'expires:2020-01-01', roles: projectRoles(PROJECT_A) });

    it("never touches the worker's own key", () => {
      const inventory = buildInventory([keyInventory(key, idleEverywhere)], { selfPublicKey: key.publicKey });

      const result = plan(inventory, policy, NOW);

      expect(result.actions).toEqual([]);
      expect(result.findings).toMatchObject([{ kind: 'self', apiUserId: key.id }]);
    });

    it.each([
      ['id', { ids: [key.id] }, `id ${key.id}`],
      ['public key', { publicKeys: [key.publicKey] }, `public key ${key.publicKey}`],
      ['description pattern', { descriptionPatterns: ['^nope$', '^EXPIRES'.toLowerCase()] }, 'description matches /^expires/'],
    ])('never touches a key protected by %s', (_, protectedKeys, why) => {
      const inventory = buildInventory([keyInventory(key, idleEverywhere)]);

      const result = plan(inventory, buildPolicy({ expiryPattern: 'expires:(\\S+)', protectedKeys }), NOW);

      expect(result.actions).toEqual([]);
      expect(result.findings).toEqual([
        {
          orgId: ORG_ID,
          apiUserId: key.id,
          kind: 'protected',
          reason: `protected by policy (${why}): never touched`,
          evidence: { publicKey: key.publicKey, desc: key.desc },
        },
      ]);
    });
  });

  describe('rule 6b: patterns match in linear time (issue 11, case 8)', () => {
    // Catastrophic for a backtracking engine: 30 characters took 3.4 s there, doubling per character.
    const HOSTILE_PATTERN = '^(\\w+-?)+$';
    const hostile = (length: number, n = 0) => `${'a'.repeat(length - String(n).length - 1)}${n}!`;

    it('judges a 5,000-character hostile description against ^(\\w+-?)+$ (no match: the key is not protected)', () => {
      const key = buildKey(1, { desc: hostile(5_000) });
      const inventory = buildInventory([keyInventory(key, [usedEntry(OLD, 500)])]);
      const policy = buildPolicy({ protectedKeys: { descriptionPatterns: [HOSTILE_PATTERN] } });

      const result = plan(inventory, policy, NOW);

      expect(kinds(result)).toEqual(['deleteOrgKey']);
      // The same pattern still protects what it matches.
      const matching = buildInventory([keyInventory(buildKey(2, { desc: `${'ab-'.repeat(1_500)}c` }), [usedEntry(OLD, 500)])]);
      expect(plan(matching, policy, NOW).findings).toMatchObject([{ kind: 'protected' }]);
    });

    it('plans a 10,000-key inventory whose descriptions are all hostile to both patterns', () => {
      const keys = Array.from({ length: 10_000 }, (_, n) =>
        keyInventory(buildKey(n + 1, { desc: hostile(64, n) }), [usedEntry(OLD, 500)]),
      );
      const policy = buildPolicy({
        protectedKeys: { descriptionPatterns: [HOSTILE_PATTERN] },
        expiryPattern: '^(?:\\w+-?)+:(\\d{4}-\\d{2}-\\d{2})$',
      });

      const result = plan(buildInventory(keys), policy, NOW);

      expect(result.keysScanned).toBe(10_000);
      expect(result.actions.filter((action) => action.reason === 'idle 500 days ≥ 180: delete org key')).toHaveLength(10_000);
    });
  });

  describe('rule 7: the write budget is not the planner\'s', () => {
    it('plans every action whatever maxWritesPerOrgPerDay says: the executor reserves the budget per write', () => {
      const keys = [1, 2, 3].map((n) => keyInventory(buildKey(n), [usedEntry(OLD, 500)]));

      const result = plan(buildInventory(keys), buildPolicy({ maxWritesPerOrgPerDay: 0 }), NOW);

      expect(kinds(result)).toEqual(['deleteOrgKey', 'deleteOrgKey', 'deleteOrgKey']);
      expect(result).not.toHaveProperty('capTripped');
    });
  });

  describe('rule 8: order', () => {
    it('orders prunes, then unassigns, then deletes; each kind in inventory order', () => {
      const inventory = buildInventory([
        keyInventory(buildKey(1), [usedEntry(OLD, 500)]),
        keyInventory(buildKey(2, { roles: projectRoles(PROJECT_A) }), [usedEntry(OLD, 100), usedEntry(FRESH, 95)]),
        keyInventory(buildKey(3), [usedEntry(OLD, 200), usedEntry(FRESH, 1)]),
        keyInventory(buildKey(4), [usedEntry(OLD, 600)]),
      ]);

      const result = plan(inventory, buildPolicy({ accessListIdleDays: 100 }), NOW);

      expect(result.actions.map((action) => [action.kind, action.apiUserId])).toEqual([
        ['pruneAccessListEntry', objectId(2)],
        ['pruneAccessListEntry', objectId(3)],
        ['unassignFromProject', objectId(2)],
        ['deleteOrgKey', objectId(1)],
        ['deleteOrgKey', objectId(4)],
      ]);
    });
  });

  describe('rule 9: reason and evidence', () => {
    it('gives a key-level action its one-line reason and the timestamps behind it', () => {
      const entries = [usedEntry(OLD, 212), unusedEntry(FRESH, 300), usedEntry('198.51.100.3', 250)];
      const inventory = buildInventory([keyInventory(buildKey(1), entries)]);

      const result = plan(inventory, buildPolicy(), NOW);

      expect(result.actions).toEqual([
        {
          orgId: ORG_ID,
          apiUserId: objectId(1),
          kind: 'deleteOrgKey',
          reason: 'idle 212 days ≥ 180: delete org key',
          evidence: {
            publicKey: 'pk000001',
            desc: 'key 1',
            lastUsed: entries[0]?.lastUsed,
            created: entries[1]?.created,
            idleDays: 212,
            limitDays: 180,
          },
        },
      ]);
    });
  });

  describe('rule 10: counts', () => {
    it('counts every key and entry scanned, including untouched ones', () => {
      const inventory = buildInventory(
        [
          keyInventory(buildKey(1), [usedEntry(OLD, 1), usedEntry(FRESH, 1)]),
          keyInventory(buildKey(2), []),
          keyInventory(buildKey(3), [{ ipAddress: 'bad' }]),
        ],
        { selfPublicKey: 'pk000001' },
      );

      const result = plan(inventory, buildPolicy(), NOW);

      expect(result).toMatchObject({ orgId: ORG_ID, keysScanned: 3, entriesScanned: 3 });
    });
  });

  describe('robustness', () => {
    it('leaves alone a key listed twice in the inventory (inconsistent data)', () => {
      const key = buildKey(1);
      const inventory = buildInventory([keyInventory(key, [usedEntry(OLD, 900)]), keyInventory(key, [usedEntry(FRESH, 1)])]);

      const result = plan(inventory, buildPolicy(), NOW);

      expect(result.actions).toEqual([]);
      expect(result.findings.map((finding) => finding.kind)).toEqual(['usage-unknown', 'usage-unknown']);
    });

    it('reads "desc": null as no description: never throws, never matches as text', () => {
      const key = { ...buildKey(1), desc: null } as unknown as ApiKey;
      const inventory = buildInventory([keyInventory(key, [usedEntry(OLD, 500)])]);
      const policy = buildPolicy({ expiryPattern: '(\\d{4}-\\d{2}-\\d{2})', protectedKeys: { descriptionPatterns: ['null'] } });

      const result = plan(inventory, policy, NOW);

      expect(result.actions).toMatchObject([{ kind: 'deleteOrgKey', reason: 'idle 500 days ≥ 180: delete org key' }]);
      expect(result.actions[0]?.evidence).not.toHaveProperty('desc');
    });

    it('fails if now is an invalid Date', () => {
      expect(() => plan(buildInventory([]), buildPolicy(), new Date(Number.NaN))).toThrow(TypeError);
    });
  });
});
