import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AccessListEntry, ApiKey } from '../../lambda/atlas/types.ts';
import { nextDue } from '../../lambda/policy/next-due.ts';
import { plan } from '../../lambda/policy/plan.ts';
import { policyDigest } from '../../lambda/policy/policy-digest.ts';
import type { KeyInventory } from '../../lambda/policy/types.ts';
import type { KeyState } from '../../lambda/state/types.ts';
import { keyStateOf, readReason } from '../../lambda/worker/select-reads.ts';
import { buildPolicy, objectId, ORG_ID } from '../policy/factories.ts';

const DAY_MS = 86_400_000;
const START = Date.parse('2026-01-01T06:00:00Z');
const DAYS = 60;

/** What others do to the org on one day, drawn at random: keys used, created, deleted, entries added and removed. */
type Event =
  | { readonly kind: 'use'; readonly key: number; readonly entry: number }
  | { readonly kind: 'create'; readonly entries: number; readonly projects: number }
  | { readonly kind: 'delete-key'; readonly key: number }
  | { readonly kind: 'add-entry'; readonly key: number }
  | { readonly kind: 'remove-entry'; readonly key: number; readonly entry: number }
  | { readonly kind: 'describe'; readonly key: number };

const eventArb: fc.Arbitrary<Event> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('use' as const), key: fc.nat(), entry: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('create' as const), entries: fc.integer({ min: 0, max: 3 }), projects: fc.integer({ min: 0, max: 2 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('delete-key' as const), key: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('add-entry' as const), key: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('remove-entry' as const), key: fc.nat(), entry: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('describe' as const), key: fc.nat() }) },
);

interface Org {
  keys: { key: ApiKey; accessList: AccessListEntry[] }[];
  serial: number;
}

function seedOrg(ages: readonly number[]): Org {
  const org: Org = { keys: [], serial: 0 };
  for (const age of ages) addKey(org, START - age * DAY_MS, 1 + (age % 3), age % 2, age > 100 ? undefined : START - (age / 2) * DAY_MS);
  return org;
}

function addKey(org: Org, createdMs: number, entries: number, projects: number, lastUsedMs?: number): void {
  org.serial += 1;
  const n = org.serial;
  const key: ApiKey = {
    id: objectId(n),
    publicKey: `pk${String(n).padStart(6, '0')}`,
    desc: `key ${n}`,
    roles: [{ orgId: ORG_ID, roleName: 'ORG_MEMBER' }, ...Array.from({ length: projects }, (_, p) => ({ groupId: objectId(9000 + p), roleName: 'GROUP_READ_ONLY' }))],
  };
  const accessList = Array.from({ length: entries }, (_, e) => entry(`198.51.${n % 250}.${e + 1}`, createdMs, e === 0 ? lastUsedMs : undefined));
  org.keys.push({ key, accessList });
}

function entry(ip: string, createdMs: number, lastUsedMs?: number): AccessListEntry {
  return {
    ipAddress: ip,
    cidrBlock: `${ip}/32`,
    created: new Date(createdMs).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    count: lastUsedMs === undefined ? 0 : 1,
    ...(lastUsedMs === undefined ? {} : { lastUsed: new Date(lastUsedMs).toISOString().replace(/\.\d{3}Z$/, 'Z') }),
  };
}

/**
 * Applies one event; returns the id of a key whose access list it changed. Such a change can bring an action
 * forward (an entry removed; another entry used or added frees the entry that held the newest evidence for
 * pruning), which the listing cannot show: only those keys may wait for their periodic full read.
 */
function apply(org: Org, event: Event, nowMs: number): string | undefined {
  const target = org.keys.length === 0 ? undefined : org.keys[('key' in event ? event.key : 0) % org.keys.length];
  switch (event.kind) {
    case 'use': {
      const used = target?.accessList[event.entry % Math.max(1, target.accessList.length)];
      if (!used || !target) return undefined;
      Object.assign(used, { lastUsed: new Date(nowMs).toISOString().replace(/\.\d{3}Z$/, 'Z'), count: (used.count ?? 0) + 1 });
      return target.key.id;
    }
    case 'create':
      addKey(org, nowMs, event.entries, event.projects);
      return undefined;
    case 'delete-key':
      if (target) org.keys.splice(org.keys.indexOf(target), 1);
      return undefined;
    case 'add-entry':
      if (!target) return undefined;
      target.accessList.push(entry(`203.0.113.${(target.accessList.length + 1) % 250}`, nowMs));
      return target.key.id;
    case 'remove-entry':
      if (target && target.accessList.length > 0) {
        target.accessList.splice(event.entry % target.accessList.length, 1);
        return target.key.id;
      }
      return undefined;
    case 'describe':
      if (target) target.key = { ...target.key, desc: `${String(target.key.desc)} (edited)` };
      return undefined;
  }
}

const actionId = (a: { kind: string; apiUserId: string; groupId?: string; entry?: string }) => `${a.kind} ${a.apiUserId} ${a.groupId ?? a.entry ?? ''}`;

describe('Incremental sweeps (readReason + nextDue) against full sweeps, 60 simulated days', () => {
  it('never plans what the full sweep would not that day; plans its actions the same day unless others changed the access list of the key, and then at most fullReadEveryDays later', () => {
    const policy = buildPolicy({ fullReadEveryDays: 7 });
    const digest = policyDigest(policy);
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 400 }), { minLength: 5, maxLength: 40 }),
        fc.array(fc.array(eventArb, { maxLength: 5 }), { minLength: DAYS, maxLength: DAYS }),
        (ages, days) => {
          const org = seedOrg(ages);
          const states = new Map<string, KeyState>();
          /** Full-sweep action → the first day the full sweep planned it, while it keeps planning it. */
          const pendingSince = new Map<string, number>();
          /** Keys whose access list others changed since the incremental sweep last read them: only those may lag. */
          const shrunk = new Set<string>();
          let reads = 0;
          let listed = 0;
          for (let day = 0; day < DAYS; day += 1) {
            const nowMs = START + day * DAY_MS;
            for (const event of days[day] ?? []) {
              const changed = apply(org, event, nowMs - 3_600_000);
              if (changed !== undefined) shrunk.add(changed);
            }
            const now = new Date(nowMs);
            const inventory: KeyInventory[] = org.keys.map(({ key, accessList }) => ({ key, accessList: [...accessList] }));

            // The full sweep reads everything. Nothing is executed: both sweeps look at the same org each day.
            const full = new Set(plan({ orgId: ORG_ID, keys: inventory }, policy, now).actions.map(actionId));
            // The incremental sweep reads only what readReason selects, and remembers what it read.
            const context = { policyDigest: digest, nowMs, fullReadEveryDays: policy.fullReadEveryDays };
            const read = inventory.filter((item) => readReason(item.key, states.get(item.key.id), context) !== 'skip');
            for (const item of read) {
              states.set(item.key.id, keyStateOf(item.key, nextDue(item, policy, now), context));
              shrunk.delete(item.key.id);
            }
            const incremental = new Set(plan({ orgId: ORG_ID, keys: read }, policy, now).actions.map(actionId));
            reads += read.length;
            listed += inventory.length;

            for (const id of incremental) expect(full.has(id), `day ${day}: incremental-only action ${id}`).toBe(true);
            for (const id of [...pendingSince.keys()]) if (!full.has(id) || incremental.has(id)) pendingSince.delete(id);
            for (const id of full) {
              if (incremental.has(id)) continue;
              const keyId = id.split(' ')[1] ?? '';
              expect(shrunk.has(keyId), `day ${day}: ${id} delayed though nobody changed the access list of its key`).toBe(true);
              const since = pendingSince.get(id) ?? day;
              pendingSince.set(id, since);
              expect(day - since, `day ${day}: ${id} planned by the full sweep since day ${since}`).toBeLessThanOrEqual(policy.fullReadEveryDays);
            }
          }
          // It must also be cheaper, or it is pointless: fewer reads than listing every key every day.
          expect(reads).toBeLessThan(listed);
        },
      ),
      { numRuns: 15, seed: 20261202 },
    );
  });
});
