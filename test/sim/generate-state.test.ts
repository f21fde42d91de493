import { describe, expect, it } from 'vitest';
import { generateState, WORKER_KEY_DESC } from '../../sim/index.ts';
import type { SimApiKey } from '../../sim/types.ts';

const now = new Date('2025-03-01T00:00:00Z');
const DAY = 86_400_000;

/** Days since the key's newest use; undefined when none of its entries was ever used. */
function idleDays(key: SimApiKey): number | undefined {
  const used = key.accessList.flatMap((entry) => (entry.lastUsed === undefined ? [] : [Date.parse(entry.lastUsed)]));
  return used.length === 0 ? undefined : (now.getTime() - Math.max(...used)) / DAY;
}

describe('Function: generateState', () => {
  it('yields identical state for the same spec, and different state for another seed', () => {
    // Act
    const first = generateState({ seed: 42, orgs: 2, keysPerOrg: 50, now });
    const second = generateState({ seed: 42, orgs: 2, keysPerOrg: 50, now });
    const other = generateState({ seed: 43, orgs: 2, keysPerOrg: 50, now });

    // Assess
    expect(second).toStrictEqual(first);
    expect(other.state.apiKeys.map((key) => key.id)).not.toStrictEqual(first.state.apiKeys.map((key) => key.id));
  });

  it('creates per org its projects, the worker key (first, Org Owner, 127.0.0.1 used recently) and service account', () => {
    // Act
    const { state, workers } = generateState({ seed: 1, orgs: 3, projectsPerOrg: 4, keysPerOrg: 10, now });

    // Assess
    expect(state.orgs).toHaveLength(3);
    expect(state.projects).toHaveLength(12);
    expect(state.apiKeys).toHaveLength(33);
    expect(workers.map((worker) => worker.orgId)).toStrictEqual(state.orgs.map((org) => org.id));
    for (const worker of workers) {
      const key = state.apiKeys.find((candidate) => candidate.id === worker.apiKeyId);
      expect(key?.desc).toBe(WORKER_KEY_DESC);
      expect(key?.roles).toStrictEqual([{ orgId: worker.orgId, roleName: 'ORG_OWNER' }]);
      expect(key?.privateKey).toBe(worker.privateKey);
      expect(key?.accessList[0]?.cidrBlock).toBe('127.0.0.1');
      expect(idleDays(key as SimApiKey)).toBeLessThan(1);
      expect(state.apiKeys.find((candidate) => candidate.orgId === worker.orgId)?.id).toBe(worker.apiKeyId);
      expect(worker.clientId).toMatch(/^mdb_sa_id_[a-f0-9]{24}$/);
      expect(worker.clientSecret).toMatch(/^mdb_sa_sk_/);
    }
  });

  it('produces valid ids, unique keys and the documented mix of ages', () => {
    // Act
    const { state } = generateState({ seed: 9, keysPerOrg: 2000, staleFraction: 0.2, noAccessListFraction: 0.05, now });

    // Assess
    const ids = new Set(state.apiKeys.map((key) => key.id));
    expect(ids.size).toBe(state.apiKeys.length);
    expect(new Set(state.apiKeys.map((key) => key.publicKey)).size).toBe(state.apiKeys.length);
    for (const key of state.apiKeys) {
      expect(key.id).toMatch(/^[a-f0-9]{24}$/);
      expect(key.publicKey).toMatch(/^[a-z]{8}$/);
      expect(key.privateKey).toMatch(/^[a-f0-9]{8}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{12}$/);
    }
    const others = state.apiKeys.slice(1);
    const noList = others.filter((key) => key.accessList.length === 0).length;
    const stale = others.filter((key) => key.accessList.length > 0 && (idleDays(key) ?? 999) >= 200).length;
    const between = others.filter((key) => {
      const days = idleDays(key);
      return days !== undefined && days >= 100 && days <= 170;
    }).length;
    const fresh = others.filter((key) => (idleDays(key) ?? 999) <= 30).length;
    expect(noList / others.length).toBeCloseTo(0.05, 1);
    expect(stale / others.length).toBeCloseTo(0.2, 1);
    expect(between).toBeGreaterThan(100);
    expect(fresh + stale + between + noList).toBe(others.length);
    expect(others.some((key) => key.desc?.includes('expires:2025-06-30'))).toBe(true);
    const blocks = others.flatMap((key) => key.accessList.map((entry) => entry.cidrBlock));
    expect(blocks.some((block) => block.includes(':'))).toBe(true);
    expect(blocks.some((block) => block.endsWith('/24'))).toBe(true);
  });

  it('generates 100,000 keys in linear time (well under 6 seconds of CPU time)', () => {
    // Act: CPU time, not wall time. About 2 s on a loaded 2-core machine; the bound leaves room for load (which
    // inflates even CPU time) and still catches a quadratic step, which would take minutes.
    const started = process.cpuUsage();
    const { state } = generateState({ seed: 3, orgs: 4, keysPerOrg: 25_000, now });
    const used = process.cpuUsage(started);

    // Assess
    expect(state.apiKeys).toHaveLength(100_004);
    expect((used.user + used.system) / 1000).toBeLessThan(6000);
  });

  describe('role and entry shapes recorded from live Atlas', () => {
    const { state } = generateState({ seed: 9, keysPerOrg: 2000, now });
    const others = state.apiKeys.slice(1);
    const orgRoles = (key: SimApiKey) => key.roles.filter((role) => role.groupId === undefined);
    const hasTwoRolesOnOneProject = (key: SimApiKey) => {
      const groups = key.roles.flatMap((role) => (role.groupId === undefined ? [] : [role.groupId]));
      return new Set(groups).size < groups.length;
    };

    it('gives some keys 10–30 roles, several org roles, and two roles on one project; never a duplicate role', () => {
      // Assess
      const counts = others.map((key) => key.roles.length);
      expect(Math.max(...counts)).toBeGreaterThanOrEqual(25);
      expect(Math.max(...counts)).toBeLessThanOrEqual(30);
      expect(counts.filter((count) => count >= 10).length / others.length).toBeCloseTo(0.05, 1);
      expect(others.filter((key) => orgRoles(key).length >= 2).length).toBeGreaterThan(200);
      expect(others.filter(hasTwoRolesOnOneProject).length).toBeGreaterThan(100);
      for (const key of others) {
        const names = key.roles.map((role) => `${role.orgId ?? ''}/${role.groupId ?? ''}/${role.roleName}`);
        expect(new Set(names).size).toBe(names.length);
        expect(orgRoles(key).length).toBeGreaterThanOrEqual(1);
        expect(key.roles.some((role) => role.roleName === 'ORG_OWNER')).toBe(false);
      }
    });

    it('keeps never-used entries at count 0 without lastUsed, and single addresses with their ipAddress', () => {
      // Assess
      const entries = others.flatMap((key) => key.accessList);
      const unused = entries.filter((entry) => entry.lastUsed === undefined);
      expect(unused.length).toBeGreaterThan(100);
      expect(unused.every((entry) => entry.count === 0 && entry.lastUsedAddress === undefined)).toBe(true);
      const singles = entries.filter((entry) => !entry.cidrBlock.includes('/'));
      expect(singles.length).toBeGreaterThan(100);
      expect(singles.every((entry) => entry.ipAddress === entry.cidrBlock)).toBe(true);
    });

    it('draws role shapes from their own stream: everything else is as before, whatever manyRolesFraction says', () => {
      // Act
      const few = generateState({ seed: 9, keysPerOrg: 300, manyRolesFraction: 0, now }).state;
      const many = generateState({ seed: 9, keysPerOrg: 300, manyRolesFraction: 0.5, now }).state;
      const withoutRoles = (keys: SimApiKey[]) => keys.map(({ roles: _roles, ...rest }) => rest);

      // Assess
      expect(withoutRoles(many.apiKeys)).toStrictEqual(withoutRoles(few.apiKeys));
      expect(many.projects).toStrictEqual(few.projects);
      expect(many.apiKeys.filter((key) => key.roles.length >= 10).length).toBeGreaterThan(100);
      expect(few.apiKeys.filter((key) => key.roles.length >= 10)).toStrictEqual([]);
    });
  });

  it('fails if a fraction is out of range, naming it and the value', () => {
    expect(() => generateState({ staleFraction: 1.5 })).toThrow(/staleFraction must be between 0 and 1 inclusive \(given 1.5\)/);
    expect(() => generateState({ entriesPerKey: [3, 1] })).toThrow(/entriesPerKey/);
    expect(() => generateState({ manyRolesFraction: 0.9 })).toThrow(/manyRolesFraction must be at most 0.8 \(given 0.9\)/);
  });
});
