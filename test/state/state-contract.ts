import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { StateError } from '../../lambda/state/errors.ts';
import type { KeyState, Reservation, StateBackend } from '../../lambda/state/types.ts';

/** Builds a fresh, empty state for one test. */
export type StateFactory = () => Promise<StateBackend>;

const ORG_A = '5f1a2b3c4d5e6f7a8b9c0d1e';
const ORG_B = '6a0b1c2d3e4f5a6b7c8d9e0f';
const NOON = new Date('2024-03-01T12:00:00.000Z');

export function keyState(index: number, overrides: Partial<KeyState> = {}): KeyState {
  return {
    apiUserId: `${String(index).padStart(24, '0')}`,
    publicKey: `pk${String(index).padStart(6, '0')}`,
    descDigest: `d-${index}`,
    rolesDigest: `r-${index}`,
    policyDigest: 'p-1',
    nextDueMs: index % 3 === 0 ? null : 1_709_000_000_000 + index,
    lastFullReadMs: 1_708_000_000_000 + index,
    ...overrides,
  };
}

async function reserveTimes(state: StateBackend, times: number, request: Parameters<StateBackend['budget']['reserve']>[0]) {
  const results: Reservation[] = [];
  for (let i = 0; i < times; i += 1) results.push(await state.budget.reserve(request));
  return results;
}

async function rejection(promise: Promise<unknown>): Promise<StateError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(StateError);
  return error as StateError;
}

/** The behaviour every state implementation must have: run against the in-memory one and against DynamoDB. */
export function describeStateContract(label: string, factory: StateFactory): void {
  describe(`Contract: state (${label})`, () => {
    describe('Method: budget.reserve', () => {
      it('grants exactly `limit` units a day, then refuses without counting', async () => {
        // Prepare
        const state = await factory();
        const request = { orgId: ORG_A, at: NOON, limit: 3, kind: 'deleteOrgKey' };

        // Act
        const results = await reserveTimes(state, 5, request);

        // Assess
        expect(results).toEqual([
          { granted: true, used: 1, limit: 3 },
          { granted: true, used: 2, limit: 3 },
          { granted: true, used: 3, limit: 3 },
          { granted: false, used: 3, limit: 3 },
          { granted: false, used: 3, limit: 3 },
        ]);
        expect(await state.budget.usage(ORG_A, NOON)).toBe(3);
      });

      it('grants exactly 20 of 50 concurrent reservations with limit 20', async () => {
        // Prepare
        const state = await factory();

        // Act: all 50 in flight at once
        const results = await Promise.all(
          Array.from({ length: 50 }, () => state.budget.reserve({ orgId: ORG_A, at: NOON, limit: 20, kind: 'unassign' })),
        );

        // Assess: each granted unit got its own count; every refusal saw the full budget
        const granted = results.filter((r) => r.granted);
        expect(granted).toHaveLength(20);
        expect(granted.map((r) => r.used).sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
        expect(results.filter((r) => !r.granted).every((r) => r.used === 20)).toBe(true);
        expect(await state.budget.usage(ORG_A, NOON)).toBe(20);
      });

      it('grants every concurrent mandatory reservation and never more than `limit` others', async () => {
        // Prepare
        const state = await factory();
        const requests = Array.from({ length: 50 }, (_, i) => ({
          orgId: ORG_A,
          at: NOON,
          limit: 20,
          kind: i % 5 === 0 ? 'revokeKey' : 'deleteOrgKey',
          mandatory: i % 5 === 0,
        }));

        // Act
        const results = await Promise.all(requests.map((request) => state.budget.reserve(request)));

        // Assess: whatever the interleaving
        const mandatory = results.filter((_, i) => requests[i]!.mandatory);
        const others = results.filter((_, i) => !requests[i]!.mandatory);
        const othersGranted = others.filter((r) => r.granted).length;
        expect(mandatory.every((r) => r.granted)).toBe(true);
        expect(othersGranted).toBeLessThanOrEqual(20);
        expect(othersGranted).toBeGreaterThanOrEqual(20 - mandatory.length);
        const usage = await state.budget.usage(ORG_A, NOON);
        expect(usage).toBe(othersGranted + mandatory.length);
        const counts = results.filter((r) => r.granted).map((r) => r.used);
        expect(counts.sort((a, b) => a - b)).toEqual(Array.from({ length: usage }, (_, i) => i + 1));
      });

      it('charges the UTC day of `at`: the last millisecond of a day and the first of the next are separate', async () => {
        // Prepare
        const state = await factory();
        const lastMs = new Date('2024-02-29T23:59:59.999Z');
        const nextDay = new Date('2024-03-01T00:00:00.000Z');
        // The same instant written with an offset is still the 29th in UTC.
        const sameDayWithOffset = new Date('2024-03-01T01:30:00.000+02:00');

        // Act
        const first = await reserveTimes(state, 2, { orgId: ORG_A, at: lastMs, limit: 2, kind: 'prune' });
        const refusedSameDay = await state.budget.reserve({ orgId: ORG_A, at: sameDayWithOffset, limit: 2, kind: 'prune' });
        const next = await state.budget.reserve({ orgId: ORG_A, at: nextDay, limit: 2, kind: 'prune' });

        // Assess
        expect(first.map((r) => r.granted)).toEqual([true, true]);
        expect(refusedSameDay).toEqual({ granted: false, used: 2, limit: 2 });
        expect(next).toEqual({ granted: true, used: 1, limit: 2 });
        expect(await state.budget.usage(ORG_A, new Date('2024-02-29T00:00:00.000Z'))).toBe(2);
        expect(await state.budget.usage(ORG_A, new Date('2024-03-01T23:59:59.999Z'))).toBe(1);
      });

      it('keeps orgs separate', async () => {
        // Prepare
        const state = await factory();
        await reserveTimes(state, 2, { orgId: ORG_A, at: NOON, limit: 2, kind: 'deleteOrgKey' });

        // Act
        const other = await state.budget.reserve({ orgId: ORG_B, at: NOON, limit: 2, kind: 'deleteOrgKey' });
        const exhausted = await state.budget.reserve({ orgId: ORG_A, at: NOON, limit: 2, kind: 'deleteOrgKey' });

        // Assess
        expect(other).toEqual({ granted: true, used: 1, limit: 2 });
        expect(exhausted.granted).toBe(false);
        expect(await state.budget.usage(ORG_A, NOON)).toBe(2);
        expect(await state.budget.usage(ORG_B, NOON)).toBe(1);
      });

      it('always grants a mandatory reservation and counts it, past the limit; later others are refused', async () => {
        // Prepare
        const state = await factory();
        await reserveTimes(state, 2, { orgId: ORG_A, at: NOON, limit: 2, kind: 'deleteOrgKey' });

        // Act
        const revocations = await reserveTimes(state, 2, { orgId: ORG_A, at: NOON, limit: 2, kind: 'revokeKey', mandatory: true });
        const after = await state.budget.reserve({ orgId: ORG_A, at: NOON, limit: 2, kind: 'deleteOrgKey' });

        // Assess
        expect(revocations).toEqual([
          { granted: true, used: 3, limit: 2 },
          { granted: true, used: 4, limit: 2 },
        ]);
        expect(after).toEqual({ granted: false, used: 4, limit: 2 });
        expect(await state.budget.usage(ORG_A, NOON)).toBe(4);
      });

      it('uses up the budget with mandatory reservations first: an early revocation leaves one unit fewer', async () => {
        // Prepare
        const state = await factory();
        await state.budget.reserve({ orgId: ORG_A, at: NOON, limit: 2, kind: 'revokeKey', mandatory: true });

        // Act
        const results = await reserveTimes(state, 2, { orgId: ORG_A, at: NOON, limit: 2, kind: 'deleteOrgKey' });

        // Assess
        expect(results).toEqual([
          { granted: true, used: 2, limit: 2 },
          { granted: false, used: 2, limit: 2 },
        ]);
      });

      it('refuses every non-mandatory reservation at limit 0 and still grants mandatory ones', async () => {
        // Prepare
        const state = await factory();

        // Act
        const refused = await state.budget.reserve({ orgId: ORG_A, at: NOON, limit: 0, kind: 'deleteOrgKey' });
        const mandatory = await state.budget.reserve({ orgId: ORG_A, at: NOON, limit: 0, kind: 'revokeKey', mandatory: true });
        const refusedAgain = await state.budget.reserve({ orgId: ORG_A, at: NOON, limit: 0, kind: 'deleteOrgKey' });

        // Assess
        expect(refused).toEqual({ granted: false, used: 0, limit: 0 });
        expect(mandatory).toEqual({ granted: true, used: 1, limit: 0 });
        expect(refusedAgain).toEqual({ granted: false, used: 1, limit: 0 });
      });

      it('applies the limit given with each call: a limit lowered mid-day refuses at once', async () => {
        // Prepare
        const state = await factory();
        await reserveTimes(state, 5, { orgId: ORG_A, at: NOON, limit: 10, kind: 'prune' });

        // Act
        const lowered = await state.budget.reserve({ orgId: ORG_A, at: NOON, limit: 3, kind: 'prune' });
        const raised = await state.budget.reserve({ orgId: ORG_A, at: NOON, limit: 6, kind: 'prune' });

        // Assess
        expect(lowered).toEqual({ granted: false, used: 5, limit: 3 });
        expect(raised).toEqual({ granted: true, used: 6, limit: 6 });
      });

      it('behaves like a counter per org and UTC day for any sequence of reservations', async () => {
        const op = fc.record({
          org: fc.constantFrom(ORG_A, ORG_B),
          // Hours from 2024-03-01T00:00Z: three UTC days
          hour: fc.integer({ min: 0, max: 71 }),
          // About one in five is mandatory
          mandatory: fc.integer({ min: 0, max: 4 }).map((n) => n === 0),
        });
        await fc.assert(
          fc.asyncProperty(fc.integer({ min: 0, max: 4 }), fc.array(op, { maxLength: 20 }), async (limit, ops) => {
            const state = await factory();
            const model = new Map<string, number>();
            for (const { org, hour, mandatory } of ops) {
              const at = new Date(Date.UTC(2024, 2, 1, hour, 30));
              const slot = `${org}|${Math.floor(hour / 24)}`;
              const used = model.get(slot) ?? 0;
              const grant = mandatory || used < limit;
              if (grant) model.set(slot, used + 1);
              const result = await state.budget.reserve({ orgId: org, at, limit, kind: 'deleteOrgKey', mandatory });
              expect(result).toEqual({ granted: grant, used: grant ? used + 1 : used, limit });
            }
            for (const org of [ORG_A, ORG_B]) {
              for (const day of [0, 1, 2]) {
                const usage = await state.budget.usage(org, new Date(Date.UTC(2024, 2, 1 + day, 23, 59, 59, 999)));
                expect(usage).toBe(model.get(`${org}|${day}`) ?? 0);
              }
            }
          }),
          { numRuns: 25, seed: 20240301 },
        );
      });

      it('rejects invalid input with a StateError naming the field, and counts nothing', async () => {
        // Prepare
        const state = await factory();
        const valid = { orgId: ORG_A, at: NOON, limit: 5, kind: 'deleteOrgKey' };

        // Act / Assess
        expect((await rejection(state.budget.reserve({ ...valid, orgId: 'org#injected' }))).field).toBe('orgId');
        expect((await rejection(state.budget.reserve({ ...valid, orgId: '' }))).field).toBe('orgId');
        expect((await rejection(state.budget.reserve({ ...valid, at: new Date(Number.NaN) }))).field).toBe('at');
        expect((await rejection(state.budget.reserve({ ...valid, at: new Date(Date.UTC(10_000, 0, 1)) }))).field).toBe('at');
        expect((await rejection(state.budget.reserve({ ...valid, limit: -1 }))).field).toBe('limit');
        expect((await rejection(state.budget.reserve({ ...valid, limit: 1.5 }))).field).toBe('limit');
        expect((await rejection(state.budget.reserve({ ...valid, kind: '' }))).field).toBe('kind');
        const error = await rejection(state.budget.reserve({ ...valid, orgId: 'a b' }));
        expect(error.operation).toBe('reserve');
        expect(error.message).toMatch(/^orgId: /);
        expect(await state.budget.usage(ORG_A, NOON)).toBe(0);
      });
    });

    describe('Method: budget.usage', () => {
      it('is 0 for an org and day with no reservation', async () => {
        const state = await factory();
        expect(await state.budget.usage(ORG_B, NOON)).toBe(0);
      });

      it('rejects an invalid org or date, naming it', async () => {
        const state = await factory();
        expect((await rejection(state.budget.usage('', NOON))).field).toBe('orgId');
        expect((await rejection(state.budget.usage(ORG_A, new Date(Number.NaN)))).field).toBe('at');
      });
    });

    describe('Object: keys (KeyStateStore)', () => {
      it('round-trips more states than one batch holds, and leaves unknown ids out', async () => {
        // Prepare: 250 states (3 BatchGetItem chunks, 10 BatchWriteItem chunks), some with no next-due
        const state = await factory();
        const states = Array.from({ length: 250 }, (_, i) => keyState(i));
        const unknown = ['ffffffffffffffffffffff01', 'ffffffffffffffffffffff02'];

        // Act
        await state.keys.put(ORG_A, states);
        const found = await state.keys.get(ORG_A, [...unknown, ...states.map((s) => s.apiUserId)]);

        // Assess
        expect(found.size).toBe(250);
        for (const s of states) expect(found.get(s.apiUserId)).toEqual(s);
        expect(found.has(unknown[0]!)).toBe(false);
        expect([...found.values()].filter((s) => s.nextDueMs === null)).toHaveLength(84);
      });

      it('replaces a stored state, and the last of two states for one id wins', async () => {
        // Prepare
        const state = await factory();
        await state.keys.put(ORG_A, [keyState(1), keyState(2)]);

        // Act
        await state.keys.put(ORG_A, [keyState(1, { nextDueMs: 1 }), keyState(1, { nextDueMs: null, descDigest: 'new' })]);
        const found = await state.keys.get(ORG_A, [keyState(1).apiUserId, keyState(1).apiUserId, keyState(2).apiUserId]);

        // Assess
        expect(found.get(keyState(1).apiUserId)).toEqual(keyState(1, { nextDueMs: null, descDigest: 'new' }));
        expect(found.get(keyState(2).apiUserId)).toEqual(keyState(2));
      });

      it('keeps orgs separate', async () => {
        // Prepare
        const state = await factory();
        await state.keys.put(ORG_A, [keyState(7)]);

        // Act
        const inB = await state.keys.get(ORG_B, [keyState(7).apiUserId]);
        await state.keys.delete(ORG_B, [keyState(7).apiUserId]);
        const inA = await state.keys.get(ORG_A, [keyState(7).apiUserId]);

        // Assess
        expect(inB.size).toBe(0);
        expect(inA.get(keyState(7).apiUserId)).toEqual(keyState(7));
      });

      it('deletes the given ids (more than one batch), ignores unknown ones and keeps the rest', async () => {
        // Prepare
        const state = await factory();
        const states = Array.from({ length: 150 }, (_, i) => keyState(i));
        await state.keys.put(ORG_A, states);
        const gone = states.slice(0, 130).map((s) => s.apiUserId);

        // Act
        await state.keys.delete(ORG_A, [...gone, 'ffffffffffffffffffffff01', gone[0]!]);
        const found = await state.keys.get(
          ORG_A,
          states.map((s) => s.apiUserId),
        );

        // Assess
        expect([...found.keys()].sort()).toEqual(states.slice(130).map((s) => s.apiUserId));
      });

      it('accepts empty lists', async () => {
        const state = await factory();
        await state.keys.put(ORG_A, []);
        await state.keys.delete(ORG_A, []);
        expect((await state.keys.get(ORG_A, [])).size).toBe(0);
      });

      it('rejects an invalid state with a StateError naming the field, and stores nothing of the batch', async () => {
        // Prepare
        const state = await factory();

        // Act
        const error = await rejection(state.keys.put(ORG_A, [keyState(1), keyState(2, { nextDueMs: Number.NaN })]));
        const badId = await rejection(state.keys.get(ORG_A, ['ok', 'not ok']));

        // Assess
        expect(error.field).toBe('states.1.nextDueMs');
        expect(error.operation).toBe('put-key-states');
        expect(badId.field).toBe('apiUserIds.1');
        expect((await state.keys.get(ORG_A, [keyState(1).apiUserId])).size).toBe(0);
      });
    });

    describe('Method: ping / describe', () => {
      it('pings a usable state and describes where it lives', async () => {
        const state = await factory();
        await expect(state.ping()).resolves.toBeUndefined();
        expect(state.describe()).toMatch(/\S/);
      });
    });
  });
}
