import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiKey, AtlasClient, ListOptions } from '../../lambda/atlas/types.ts';
import { KeyListing, readAround } from '../../lambda/worker/key-listing.ts';
import type { SimApiKey } from '../../sim/types.ts';
import { startWorkerFixture, type WorkerFixture } from '../helpers/worker-fixture.ts';

/** One change another client makes to the org between two of the listing's page reads. */
type Edit = { readonly kind: 'insert'; readonly publicKey: string } | { readonly kind: 'delete'; readonly pick: number };

const publicKeyArb = fc.string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789'), minLength: 8, maxLength: 8 });
const editArb: fc.Arbitrary<Edit> = fc.oneof(
  publicKeyArb.map((publicKey) => ({ kind: 'insert' as const, publicKey })),
  fc.nat().map((pick) => ({ kind: 'delete' as const, pick })),
);

/**
 * The real client over HTTP, except that before each page read the simulator's org is edited as another client
 * would: keys inserted and deleted anywhere in the listing.
 */
function editingClient(fixture: WorkerFixture, editsPerRead: Edit[][], protectedIds: Set<string>): { client: AtlasClient; deleted: Set<string> } {
  const deleted = new Set<string>();
  let read = 0;
  let serial = 0;
  const apply = () => {
    // The others stop editing after as many reads as there are edit lists (a run must be able to end).
    const edits = editsPerRead[read++] ?? [];
    for (const edit of edits) {
      const keys = fixture.sim.state.apiKeys;
      if (edit.kind === 'insert') {
        serial += 1;
        const id = `ee${String(serial).padStart(6, '0')}${'0'.repeat(16)}`;
        if (keys.some((k) => k.publicKey === edit.publicKey)) continue;
        keys.push({ id, publicKey: edit.publicKey, privateKey: 'x', desc: 'inserted', orgId: fixture.orgId, roles: [], accessList: [] } satisfies SimApiKey);
      } else {
        const candidates = keys.filter((k) => k.orgId === fixture.orgId && !protectedIds.has(k.id));
        const victim = candidates[edit.pick % Math.max(1, candidates.length)];
        if (victim === undefined) continue;
        keys.splice(keys.indexOf(victim), 1);
        deleted.add(victim.id);
      }
    }
    // A new array: the simulator's index notices any change (an insert and a delete keep the length).
    if (edits.length > 0) fixture.sim.state.apiKeys = [...fixture.sim.state.apiKeys];
  };
  const client: AtlasClient = Object.create(fixture.client, {
    listOrgKeys: {
      value: (orgId: string, options?: ListOptions) => {
        apply();
        return fixture.client.listOrgKeys(orgId, options);
      },
    },
  });
  return { client, deleted };
}

describe('Class: KeyListing', () => {
  let fixture: WorkerFixture;
  beforeAll(async () => {
    fixture = await startWorkerFixture({ keysPerOrg: 0 });
  });
  afterAll(() => fixture?.close());

  it('hands out every key present for the whole listing at least once, whatever others insert and delete', { timeout: 120_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(publicKeyArb, { minLength: 0, maxLength: 60 }),
        fc.array(fc.array(editArb, { maxLength: 6 }), { minLength: 1, maxLength: 12 }),
        fc.integer({ min: 1, max: 9 }),
        fc.nat({ max: 3 }),
        async (publicKeys, edits, pageSize, resumeEvery) => {
          // Prepare: the org holds the worker's key and `publicKeys`.
          const state = fixture.sim.state;
          state.apiKeys = state.apiKeys.filter((k) => k.publicKey === fixture.selfPublicKey);
          publicKeys.forEach((publicKey, i) => {
            if (publicKey === fixture.selfPublicKey) return;
            state.apiKeys.push({ id: `dd${String(i).padStart(22, '0')}`, publicKey, privateKey: 'x', desc: '', orgId: fixture.orgId, roles: [], accessList: [] });
          });
          const initial = new Set(state.apiKeys.filter((k) => k.orgId === fixture.orgId).map((k) => k.id));
          const self = state.apiKeys.find((k) => k.publicKey === fixture.selfPublicKey)?.id ?? '';
          const { client, deleted } = editingClient(fixture, edits, new Set([self]));

          // Act: list to the end, resuming from a fresh listing every `resumeEvery` keys (continuations).
          const seen = new Set<string>();
          let from: ReturnType<KeyListing['positionAfter']> | undefined;
          for (let invocation = 0; invocation < 500; invocation += 1) {
            const listing = new KeyListing(client, fixture.orgId, { pageSize, ...(from === undefined ? {} : { from }) });
            let taken = 0;
            let last: ApiKey | undefined;
            let finished = true;
            for await (const key of listing) {
              seen.add(key.id);
              last = key;
              taken += 1;
              if (resumeEvery > 0 && taken >= resumeEvery * pageSize) {
                finished = false;
                break;
              }
            }
            if (finished) break;
            from = last === undefined ? from : listing.positionAfter(last);
          }

          // Assess
          const presentThroughout = [...initial].filter((id) => !deleted.has(id));
          expect(presentThroughout.filter((id) => !seen.has(id))).toEqual([]);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('falls back to overlapping pages when the listing is not sorted, still reading every key once at least', async () => {
    // Prepare
    const orderBroken: number[] = [];
    const sim = fixture.sim;
    sim.state.apiKeys = sim.state.apiKeys.filter((k) => k.publicKey === fixture.selfPublicKey);
    for (let i = 0; i < 23; i += 1) {
      sim.state.apiKeys.push({ id: `dd${String(i).padStart(22, '0')}`, publicKey: `k${String(1000 - i)}zzzz`.slice(0, 8), privateKey: 'x', desc: '', orgId: fixture.orgId, roles: [], accessList: [] });
    }
    sim.listingOrder = 'shuffled';
    try {
      // Act
      const seen: string[] = [];
      for await (const key of new KeyListing(fixture.client, fixture.orgId, { pageSize: 5, onOrderBroken: (page) => orderBroken.push(page) })) {
        seen.push(key.id);
      }

      // Assess
      expect(orderBroken).toHaveLength(1);
      expect(new Set(seen)).toEqual(new Set(sim.state.apiKeys.map((k) => k.id)));
      expect(seen).toHaveLength(new Set(seen).size);
    } finally {
      sim.listingOrder = 'sorted';
    }
  });

  it('resumes an unsorted listing after an earlier key from that key\'s page: no key after it is skipped', async () => {
    // Prepare: 23 keys listed in insertion order (descending public keys: not sorted), pages of 5
    const sim = fixture.sim;
    sim.state.apiKeys = sim.state.apiKeys.filter((k) => k.publicKey === fixture.selfPublicKey);
    for (let i = 0; i < 23; i += 1) {
      sim.state.apiKeys.push({ id: `dd${String(i).padStart(22, '0')}`, publicKey: `k${String(1000 - i)}zzzz`.slice(0, 8), privateKey: 'x', desc: '', orgId: fixture.orgId, roles: [], accessList: [] });
    }
    sim.listingOrder = 'insertion';
    try {
      // Act: take 13 keys (three windows), then resume after the 6th (a key of the second window), as a
      // sweep cut by its deadline mid-chunk does
      const listing = new KeyListing(fixture.client, fixture.orgId, { pageSize: 5 });
      const first: ApiKey[] = [];
      for await (const key of listing) {
        first.push(key);
        if (first.length === 13) break;
      }
      const from = listing.positionAfter(first[5]!);
      const resumed: string[] = [];
      for await (const key of new KeyListing(fixture.client, fixture.orgId, { pageSize: 5, from })) resumed.push(key.id);

      // Assess: every key listed after the 6th is handed out again
      expect(from.order).toBe('unsorted');
      const listed = sim.state.apiKeys.filter((k) => k.orgId === fixture.orgId).map((k) => k.id);
      const after = listed.slice(listed.indexOf(first[5]!.id) + 1);
      expect(after.filter((id) => !resumed.includes(id))).toEqual([]);
    } finally {
      sim.listingOrder = 'sorted';
    }
  });

  it('resumes a sorted listing one key at a time with pages of one key, each read showing what follows the anchor', async () => {
    // Prepare: three keys; with pages of 1 an anchor is the last key of any page of its size
    const sim = fixture.sim;
    sim.state.apiKeys = sim.state.apiKeys.filter((k) => k.publicKey === fixture.selfPublicKey);
    ['aaaaaaaa', 'aaaaaaas'].forEach((publicKey, i) => {
      sim.state.apiKeys.push({ id: `dd${String(i).padStart(22, '0')}`, publicKey, privateKey: 'x', desc: '', orgId: fixture.orgId, roles: [], accessList: [] });
    });
    const from0 = sim.requests.length;

    // Act: one key per listing, as continuations of one key each
    const seen: string[] = [];
    let from: ReturnType<KeyListing['positionAfter']> | undefined;
    for (let invocation = 0; invocation < 10; invocation += 1) {
      const listing = new KeyListing(fixture.client, fixture.orgId, { pageSize: 1, ...(from === undefined ? {} : { from }) });
      let last: ApiKey | undefined;
      for await (const key of listing) {
        last = key;
        break;
      }
      if (last === undefined) break;
      seen.push(last.publicKey);
      from = listing.positionAfter(last);
    }

    // Assess: each key once, in order, still sorted mode, a read or two per continuation (no search)
    expect(seen).toEqual(sim.state.apiKeys.map((k) => k.publicKey).sort());
    expect(from?.order).toBe('sorted');
    const listings = sim.requests.slice(from0).filter((r) => r.method === 'GET' && r.url.includes('/apiKeys?') && r.status === 200);
    expect(listings.length).toBeLessThanOrEqual(2 * (seen.length + 1));
  });
});

describe('Function: readAround', () => {
  it('reads a page (of at most 500) holding the anchor with a key after it, whatever the page size', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 100_000 }), fc.integer({ min: 1, max: 500 }), (index, max) => {
        const { pageNum, size } = readAround(index, max);
        const start = (pageNum - 1) * size;
        expect(size).toBeGreaterThanOrEqual(1);
        expect(size).toBeLessThanOrEqual(500);
        expect(index).toBeGreaterThanOrEqual(start);
        expect(index).toBeLessThan(start + size - 1);
      }),
      { numRuns: 5000 },
    );
  });

  it('reads the first page at the configured size when there is no anchor yet', () => {
    expect(readAround(-1, 7)).toEqual({ pageNum: 1, size: 7 });
  });
});
