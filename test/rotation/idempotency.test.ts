import { afterEach, describe, expect, it } from 'vitest';
import { RotationRefusedError, ServiceAccountSecretLimitError } from '../../lambda/rotation/errors.ts';
import type { RotationStep } from '../../lambda/rotation/types.ts';
import { ACCOUNTS, KEYS } from './helpers/fixture.ts';
import { profileOfSimKey, type RotationHarness, startRotationHarness } from './helpers/rotation-harness.ts';

const STEPS: readonly RotationStep[] = ['createSecret', 'setSecret', 'testSecret', 'finishSecret'];

describe('Rotation: every step is idempotent, and AWSCURRENT always works', () => {
  let h: RotationHarness | undefined;

  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  describe.each(['atlas', 'ops-manager'] as const)('an API-key secret (%s)', (flavor) => {
    it('each step run three times: one successor, equal to its predecessor, and AWSCURRENT works after every run', async () => {
      // Prepare
      h = await startRotationHarness({ flavor });
      const predecessor = profileOfSimKey(h.keyById(KEYS.app.id)!);
      const token = h.sm.startRotation(h.secretId);
      const outcomes: string[] = [];
      const works: boolean[] = [];

      // Act
      for (const step of STEPS) {
        for (let attempt = 0; attempt < 3; attempt += 1) {
          outcomes.push(`${step}:${(await h.step(step, token)).outcome}`);
          works.push(await h.currentWorks());
        }
      }

      // Assess
      expect(outcomes).toEqual([
        'createSecret:done',
        'createSecret:already-done',
        'createSecret:already-done',
        'setSecret:done',
        'setSecret:done',
        'setSecret:done',
        'testSecret:done',
        'testSecret:done',
        'testSecret:done',
        'finishSecret:done',
        'finishSecret:already-done',
        'finishSecret:already-done',
      ]);
      expect(works.every(Boolean)).toBe(true);
      const successors = h.successorsOf(KEYS.app.id);
      expect(successors).toHaveLength(1);
      expect(profileOfSimKey(successors[0]!)).toEqual(predecessor);
      expect(h.sim.requests.filter((request) => request.method === 'POST' && /\/orgs\/[a-f0-9]{24}\/apiKeys$/.test(request.url))).toHaveLength(1);
      expect(h.keyById(KEYS.app.id)?.desc?.match(/retire-after=/g)).toHaveLength(1);
    });
  });

  it('a stop between Atlas creating the key and PutSecretValue (twice): the lost keys are replaced, one successor remains', async () => {
    // Prepare: PutSecretValue fails on the first two attempts, after Atlas has answered with the new key
    h = await startRotationHarness();
    const token = h.sm.startRotation(h.secretId);
    h.sm.failNext('PutSecretValue', 2);

    // Act
    await expect(h.step('createSecret', token)).rejects.toThrow(/PutSecretValue/);
    const firstOrphan = h.successorsOf(KEYS.app.id).map((key) => key.id);
    const worksAfterFirst = await h.currentWorks();
    await expect(h.step('createSecret', token)).rejects.toThrow(/PutSecretValue/);
    const secondOrphan = h.successorsOf(KEYS.app.id).map((key) => key.id);
    const retried = await h.step('createSecret', token);
    for (const step of STEPS.slice(1)) await h.step(step, token);

    // Assess
    expect(worksAfterFirst).toBe(true);
    expect(firstOrphan).toHaveLength(1);
    expect(secondOrphan).toHaveLength(1);
    expect(secondOrphan).not.toEqual(firstOrphan);
    expect(retried.outcome).toBe('done');
    expect(retried.changes.filter((change) => change.startsWith('deleted'))).toHaveLength(1);
    const successors = h.successorsOf(KEYS.app.id);
    expect(successors).toHaveLength(1);
    expect(successors[0]!.id).not.toBe(secondOrphan[0]);
    expect(JSON.parse(h.sm.value(h.secretId)!).publicKey).toBe(successors[0]!.publicKey);
    expect(await h.currentWorks()).toBe(true);
    expect(h.stats.get('RotationsFailed')).toBe(2);
    expect(h.stats.get('RotationsSucceeded')).toBe(1);
  });

  it('a stop after AWSPENDING was stored but before the copy finished: the retry completes the copy', async () => {
    // Prepare: the access-list POST fails (both attempts of the client)
    h = await startRotationHarness();
    const predecessor = profileOfSimKey(h.keyById(KEYS.app.id)!);
    const token = h.sm.startRotation(h.secretId);
    const removeFault = h.sim.addFault({ method: 'POST', path: /\/accessList$/, times: 2, fault: { kind: 'status', status: 503 } });

    // Act
    await expect(h.step('createSecret', token)).rejects.toThrow(/503/);
    removeFault();
    const stored = h.sm.value(h.secretId, 'AWSPENDING');
    const retried = await h.step('createSecret', token);

    // Assess
    expect(stored).toBeDefined();
    expect(await h.currentWorks()).toBe(true);
    expect(retried.outcome).toBe('already-done');
    expect(retried.changes.some((change) => change.startsWith('added access-list entries'))).toBe(true);
    const successors = h.successorsOf(KEYS.app.id);
    expect(successors).toHaveLength(1);
    expect(profileOfSimKey(successors[0]!)).toEqual(predecessor);
  });

  it('finishSecret stopped after moving AWSCURRENT: the new key works, and the retry tags the predecessor', async () => {
    // Prepare
    h = await startRotationHarness();
    const token = h.sm.startRotation(h.secretId);
    for (const step of STEPS.slice(0, 3)) await h.step(step, token);
    const removeFault = h.sim.addFault({ method: 'PATCH', path: `/apiKeys/${KEYS.app.id}`, times: 2, fault: { kind: 'status', status: 500 } });

    // Act
    await expect(h.step('finishSecret', token)).rejects.toThrow(/500/);
    removeFault();
    const untagged = h.keyById(KEYS.app.id)?.desc;
    const worksMidway = await h.currentWorks();
    const retried = await h.step('finishSecret', token);

    // Assess
    expect(untagged).toBe('billing-service prod');
    expect(worksMidway).toBe(true);
    expect(JSON.parse(h.sm.value(h.secretId)!).publicKey).toBe(h.successorsOf(KEYS.app.id)[0]!.publicKey);
    expect(retried.outcome).toBe('done');
    expect(h.keyById(KEYS.app.id)?.desc).toBe('billing-service prod atlas-key-worker:retire-after=2026-11-08');
  });

  it('setSecret brings the successor back in line when the predecessor changed meanwhile (an entry pruned)', async () => {
    // Prepare
    h = await startRotationHarness();
    const token = h.sm.startRotation(h.secretId);
    await h.step('createSecret', token);
    const predecessor = h.keyById(KEYS.app.id)!;
    predecessor.accessList = predecessor.accessList.filter((entry) => entry.cidrBlock !== '2001:db8::7');

    // Act
    const report = await h.step('setSecret', token);

    // Assess
    expect(report.changes).toEqual([`removed access-list entry 2001:db8::7 from ${h.successorsOf(KEYS.app.id)[0]!.id}`]);
    expect(profileOfSimKey(h.successorsOf(KEYS.app.id)[0]!)).toEqual(profileOfSimKey(predecessor));
  });

  describe('a service-account secret', () => {
    it('each step run three times: one new secret, and AWSCURRENT works after every run', async () => {
      // Prepare
      h = await startRotationHarness({ kind: 'service-account' });
      const token = h.sm.startRotation(h.secretId);
      const works: boolean[] = [];

      // Act
      for (const step of STEPS) {
        for (let attempt = 0; attempt < 3; attempt += 1) {
          await h.step(step, token);
          works.push(await h.currentWorks());
        }
      }

      // Assess
      expect(works.every(Boolean)).toBe(true);
      const account = h.sim.state.serviceAccounts.find((candidate) => candidate.clientId === ACCOUNTS.app.clientId)!;
      expect(account.secrets).toHaveLength(2);
    });

    it('a stop between Atlas creating the secret and PutSecretValue: the lost secret is replaced, not kept', async () => {
      // Prepare
      h = await startRotationHarness({ kind: 'service-account' });
      const token = h.sm.startRotation(h.secretId);
      h.sm.failNext('PutSecretValue');
      const account = () => h!.sim.state.serviceAccounts.find((candidate) => candidate.clientId === ACCOUNTS.app.clientId)!;

      // Act
      await expect(h.step('createSecret', token)).rejects.toThrow(/PutSecretValue/);
      const lost = account().secrets!.map((secret) => secret.id);
      const worksMidway = await h.currentWorks();
      const retried = await h.step('createSecret', token);
      for (const step of STEPS.slice(1)) await h.step(step, token);

      // Assess
      expect(lost).toHaveLength(2);
      expect(worksMidway).toBe(true);
      expect(retried.changes[0]).toMatch(/^deleted secret [a-f0-9]{24}, created by an interrupted attempt/);
      const ids = account().secrets!.map((secret) => secret.id);
      expect(ids).toHaveLength(2);
      expect(ids).toContain(ACCOUNTS.app.secretId);
      expect(ids).not.toContain(lost.find((id) => id !== ACCOUNTS.app.secretId));
      expect(await h.currentWorks()).toBe(true);
    });

    it('two secrets already: createSecret stops before creating anything and says why', async () => {
      // Prepare: the account already holds a second secret (a rotation whose predecessor is still in its grace period)
      h = await startRotationHarness({ kind: 'service-account' });
      const account = h.sim.state.serviceAccounts.find((candidate) => candidate.clientId === ACCOUNTS.app.clientId)!;
      account.secrets!.push({
        id: 'dddddddddddddddddddddd99',
        secret: 'mdb_sa_sk_second000000000000000000000001',
        createdAt: '2026-10-30T12:00:00Z',
        expiresAt: '2027-01-28T12:00:00Z',
        lastUsedAt: '2026-10-31T12:00:00Z',
      });
      const token = h.sm.startRotation(h.secretId);
      const requestsBefore = h.sim.requests.length;

      // Act
      const failure = await h.step('createSecret', token).catch((error: unknown) => error);

      // Assess
      expect(failure).toBeInstanceOf(ServiceAccountSecretLimitError);
      expect((failure as Error).message).toMatch(/already holds 2 secrets, the most Atlas allows/);
      expect((failure as Error).message).toMatch(/retires after 2026-11-06/);
      expect(h.sim.requests.slice(requestsBefore).filter((request) => request.method !== 'GET' && !request.url.startsWith('/api/oauth'))).toEqual([]);
      expect(h.sm.value(h.secretId, 'AWSPENDING')).toBeUndefined();
      expect(h.stats.get('RotationsFailed')).toBe(1);
      expect(h.audits.at(-1)).toMatchObject({ outcome: 'failed', step: 'createSecret', error: { name: 'ServiceAccountSecretLimitError' } });
    });
  });

  describe('refusals change nothing', () => {
    it('refuses a secret whose rotation is not enabled, and a token that is not the pending version', async () => {
      // Prepare
      h = await startRotationHarness();
      const requestsBefore = h.sim.requests.length;

      // Act
      const notPending = await h.step('createSecret', '00000000-0000-4000-8000-000000000000').catch((error: unknown) => error);

      // Assess
      expect(notPending).toBeInstanceOf(RotationRefusedError);
      expect((notPending as Error).message).toMatch(/has no version 00000000-0000-4000-8000-000000000000 to rotate to/);
      expect(h.sim.requests.length).toBe(requestsBefore);
      expect(h.successorsOf(KEYS.app.id)).toEqual([]);
    });

    it('refuses a service-account secret for Ops Manager', async () => {
      // Prepare
      h = await startRotationHarness({ kind: 'service-account', extra: { flavor: 'ops-manager' } });
      const token = h.sm.startRotation(h.secretId);

      // Act
      const failure = await h.step('createSecret', token).catch((error: unknown) => error);

      // Assess
      expect(failure).toBeInstanceOf(RotationRefusedError);
      expect((failure as Error).message).toMatch(/Ops Manager, which has none/);
      expect(h.sm.value(h.secretId, 'AWSPENDING')).toBeUndefined();
    });
  });
});
