import { afterEach, describe, expect, it } from 'vitest';
import { createAtlasClient } from '../../lambda/atlas/index.ts';
import type { AtlasClient, Flavor } from '../../lambda/atlas/types.ts';
import { parsePolicy } from '../../lambda/policy/parse-policy.ts';
import { plan } from '../../lambda/policy/plan.ts';
import { planServiceAccountSecretRetirement } from '../../lambda/rotation/plan-service-account-secret-retirement.ts';
import type { SimApiKey } from '../../sim/types.ts';
import { ACCOUNTS, KEYS, ORG } from './helpers/fixture.ts';
import { readInventory } from './helpers/read-inventory.ts';
import { profileOfSimKey, type RotationHarness, startRotationHarness, TEST_CLIENT } from './helpers/rotation-harness.ts';

const policy = parsePolicy({ orgs: [{ orgId: ORG }], dryRun: false }, 'policy');

/** Ids, descriptions, roles and access lists: what a sweep could change. */
function snapshot(keys: readonly SimApiKey[]) {
  return keys.map((key) => ({ id: key.id, desc: key.desc, ...profileOfSimKey(key) })).sort((a, b) => a.id.localeCompare(b.id));
}

function adminClient(h: RotationHarness, flavor: Flavor): AtlasClient {
  return createAtlasClient({
    ...TEST_CLIENT,
    baseUrl: h.sim.baseUrl,
    flavor,
    credentials: { kind: 'digest', publicKey: KEYS.worker.publicKey, privateKey: KEYS.worker.privateKey },
  });
}

describe('Rotation: full cycle (simulator and Secrets Manager over real HTTP)', () => {
  let h: RotationHarness | undefined;
  let admin: AtlasClient | undefined;

  afterEach(async () => {
    await admin?.close();
    await h?.close();
    h = undefined;
    admin = undefined;
  });

  describe.each([
    { kind: 'ours', flavor: 'atlas' },
    { kind: 'ours', flavor: 'ops-manager' },
    { kind: 'profile', flavor: 'atlas' },
  ] as const)('an API-key secret ($kind shape, $flavor)', ({ kind, flavor }) => {
    it('rotates; consumers read the successor; after graceDays the planner retires the predecessor and nothing else', async () => {
      // Prepare
      h = await startRotationHarness({ kind, flavor, extra: { team: 'billing', rotatedBy: 'platform' } });
      admin = adminClient(h, flavor);
      const predecessorProfile = profileOfSimKey(h.keyById(KEYS.app.id)!);
      const before = JSON.parse(h.sm.value(h.secretId)!) as Record<string, unknown>;

      // Act: one rotation, as Secrets Manager drives it
      const { reports } = await h.rotate();

      // Assess: exactly one successor, with its predecessor's roles, projects and access list
      expect(reports.map((report) => [report.step, report.outcome])).toEqual([
        ['createSecret', 'done'],
        ['setSecret', 'done'],
        ['testSecret', 'done'],
        ['finishSecret', 'done'],
      ]);
      const successors = h.successorsOf(KEYS.app.id);
      expect(successors).toHaveLength(1);
      const successor = successors[0]!;
      expect(profileOfSimKey(successor)).toEqual(predecessorProfile);
      expect(successor.desc?.startsWith('billing-service prod atlas-key-worker:successor-of=')).toBe(true);

      // The secret keeps its shape and its other fields; AWSPREVIOUS is the old value.
      const after = JSON.parse(h.sm.value(h.secretId)!) as Record<string, unknown>;
      expect(Object.keys(after)).toEqual(Object.keys(before));
      const [publicField, privateField] = kind === 'profile' ? ['PublicKey', 'PrivateKey'] : ['publicKey', 'privateKey'];
      expect(after[publicField!]).toBe(successor.publicKey);
      expect(after[privateField!]).toBe(successor.privateKey);
      expect({ ...after, [publicField!]: undefined, [privateField!]: undefined }).toEqual({ ...before, [publicField!]: undefined, [privateField!]: undefined });
      expect(JSON.parse(h.sm.value(h.secretId, 'AWSPREVIOUS')!)).toEqual(before);

      // Consumers read the new secret and work; the old one still works during the grace period.
      expect(await h.currentWorks('AWSCURRENT')).toBe(true);
      expect(await h.currentWorks('AWSPREVIOUS')).toBe(true);
      expect(h.keyById(KEYS.app.id)?.desc).toBe('billing-service prod atlas-key-worker:retire-after=2026-11-08');
      expect(h.stats.get('RotationsSucceeded')).toBe(1);
      expect(h.stats.get('RotationsFailed')).toBe(0);

      // Still inside the grace period: the planner leaves the predecessor alone.
      h.clock.advanceDays(6);
      const early = plan(await readInventory(admin, ORG, KEYS.worker.publicKey), policy, h.clock.now());
      expect(early.actions).toEqual([]);

      // After graceDays (the tag's day has passed): the predecessor's deleteOrgKey, and nothing else.
      h.clock.advanceDays(2);
      const kept = snapshot(h.sim.state.apiKeys.filter((key) => key.id !== KEYS.app.id));
      const late = plan(await readInventory(admin, ORG, KEYS.worker.publicKey), policy, h.clock.now());
      expect(late.actions.map((action) => [action.kind, action.apiUserId])).toEqual([['deleteOrgKey', KEYS.app.id]]);
      const writesBefore = h.sim.requests.length;
      for (const action of late.actions) await admin.deleteOrgKey(action.orgId, action.apiUserId);

      expect(h.keyById(KEYS.app.id)).toBeUndefined();
      expect(snapshot(h.sim.state.apiKeys)).toEqual(kept);
      expect(h.sim.requests.slice(writesBefore).filter((request) => request.method !== 'GET')).toHaveLength(1);
      expect(await h.currentWorks('AWSCURRENT')).toBe(true);
      expect(await h.currentWorks('AWSPREVIOUS')).toBe(false);
    });
  });

  it('a service-account secret: a new secret of the same account; the sweep rule then deletes the old one only', async () => {
    // Prepare
    h = await startRotationHarness({ kind: 'service-account' });
    const account = () => h!.sim.state.serviceAccounts.find((candidate) => candidate.clientId === ACCOUNTS.app.clientId)!;

    // Act
    const { reports } = await h.rotate();

    // Assess
    expect(reports.map((report) => report.outcome)).toEqual(['done', 'done', 'done', 'done']);
    const secrets = account().secrets!;
    expect(secrets.map((secret) => secret.id)).toHaveLength(2);
    const created = secrets.find((secret) => secret.id !== ACCOUNTS.app.secretId)!;
    const current = JSON.parse(h.sm.value(h.secretId)!) as Record<string, unknown>;
    expect(current['clientId']).toBe(ACCOUNTS.app.clientId);
    expect(current['clientSecret']).toBe(created.secret);
    expect(await h.currentWorks('AWSCURRENT')).toBe(true);
    expect(await h.currentWorks('AWSPREVIOUS')).toBe(true);

    // After graceDays the rule deletes the rotated-out secret, never the newest.
    h.clock.advanceDays(8);
    admin = createAtlasClient({
      ...TEST_CLIENT,
      baseUrl: h.sim.baseUrl,
      flavor: 'atlas',
      credentials: { kind: 'oauth', clientId: ACCOUNTS.worker.clientId, clientSecret: ACCOUNTS.worker.secret },
    });
    const listed = await admin.getServiceAccount(ORG, ACCOUNTS.app.clientId);
    const retirement = planServiceAccountSecretRetirement({
      orgId: ORG,
      clientId: ACCOUNTS.app.clientId,
      secrets: listed.secrets,
      graceDays: 7,
      now: h.clock.now(),
    });
    expect(retirement.deletions.map((deletion) => deletion.secretId)).toEqual([ACCOUNTS.app.secretId]);
    for (const deletion of retirement.deletions) {
      expect(await admin.deleteServiceAccountSecret(deletion.orgId, deletion.clientId, deletion.secretId)).toBe('done');
    }
    expect(account().secrets!.map((secret) => secret.id)).toEqual([created.id]);
    expect(h.sim.state.serviceAccounts.find((candidate) => candidate.clientId === ACCOUNTS.worker.clientId)?.secrets).toHaveLength(1);
    expect(await h.currentWorks('AWSCURRENT')).toBe(true);
  });

  it("the worker's own secret: AWSCURRENT works at every step, and the old key is protected until its tag passes", async () => {
    // Prepare: the secret is the worker's own credential, and the admin that rotates it
    h = await startRotationHarness({ self: true });
    const token = h.sm.startRotation(h.secretId);
    const works: boolean[] = [];

    // Act
    for (const step of ['createSecret', 'setSecret', 'testSecret', 'finishSecret'] as const) {
      await h.step(step, token);
      works.push(await h.currentWorks());
    }

    // Assess
    expect(works).toEqual([true, true, true, true]);
    const successor = h.successorsOf(KEYS.worker.id);
    expect(successor).toHaveLength(1);
    expect(successor[0]!.roles).toEqual([{ orgId: ORG, roleName: 'ORG_OWNER' }]);
    const selfNow = (JSON.parse(h.sm.value(h.secretId)!) as { publicKey: string }).publicKey;
    expect(selfNow).toBe(successor[0]!.publicKey);

    admin = createAtlasClient({
      ...TEST_CLIENT,
      baseUrl: h.sim.baseUrl,
      flavor: 'atlas',
      credentials: { kind: 'digest', publicKey: selfNow, privateKey: successor[0]!.privateKey },
    });
    h.clock.advanceDays(7);
    expect(plan(await readInventory(admin, ORG, selfNow), policy, h.clock.now()).actions).toEqual([]);
    h.clock.advanceDays(1);
    const late = plan(await readInventory(admin, ORG, selfNow), policy, h.clock.now());
    expect(late.actions.map((action) => [action.kind, action.apiUserId])).toEqual([['deleteOrgKey', KEYS.worker.id]]);
  });
});
