import { afterEach, describe, expect, it } from 'vitest';
import { parseCommand } from '../../lambda/commands/parse-command.ts';
import { runCommand } from '../../lambda/worker/run-command.ts';
import type { SimApiKey } from '../../sim/types.ts';
import { NOW, startWorkerFixture, type WorkerFixture } from '../helpers/worker-fixture.ts';

describe.each([
  ['atlas', '/api/atlas/v2'],
  ['ops-manager', '/api/public/v1.0'],
] as const)('Function: runCommand (%s)', (flavor, prefix) => {
  let fixture: WorkerFixture;
  afterEach(() => fixture?.close());

  const context = (overrides: Record<string, unknown> = {}) => ({
    client: fixture.client,
    policy: fixture.policy(overrides),
    now: NOW,
    selfPublicKey: fixture.selfPublicKey,
  });
  /** An ordinary key (not the worker's) with at least `entries` access-list entries and a project role. */
  const pickKey = (entries = 1): SimApiKey =>
    fixture.sim.state.apiKeys.find(
      (k) => k.publicKey !== fixture.selfPublicKey && k.accessList.length >= entries && k.roles.some((r) => r.groupId),
    )!;

  it('revokeKey by public key deletes the org key in one write', async () => {
    fixture = await startWorkerFixture({ keysPerOrg: 40 }, { flavor });
    const key = pickKey();

    const outcome = await runCommand(parseCommand({ action: 'revokeKey', orgId: fixture.orgId, publicKey: key.publicKey }), context());

    expect(outcome.results.map((r) => [r.action.kind, r.outcome])).toEqual([['deleteOrgKey', 'done']]);
    expect(fixture.writes()).toEqual([`DELETE ${prefix}/orgs/${fixture.orgId}/apiKeys/${key.id}`]);
    expect(fixture.sim.state.apiKeys.some((k) => k.id === key.id)).toBe(false);
  });

  it('revokeKey of a key that is already gone is already-absent, with no write', async () => {
    fixture = await startWorkerFixture({ keysPerOrg: 5 }, { flavor });

    const outcome = await runCommand(parseCommand({ action: 'revokeKey', orgId: fixture.orgId, apiUserId: 'ab'.repeat(12) }), context());

    expect(outcome.results[0]?.outcome).toBe('already-absent');
    expect(fixture.writes()).toEqual([]);
  });

  it('revokeKey never touches the worker\'s own key or a protected key', async () => {
    fixture = await startWorkerFixture({ keysPerOrg: 10 }, { flavor });
    const key = pickKey();

    const self = await runCommand(parseCommand({ action: 'revokeKey', orgId: fixture.orgId, publicKey: fixture.selfPublicKey }), context());
    const guarded = await runCommand(
      parseCommand({ action: 'revokeKey', orgId: fixture.orgId, apiUserId: key.id }),
      context({ protectedKeys: { descriptionPatterns: [`^${key.desc}$`] } }),
    );

    expect(self.results[0]).toMatchObject({ outcome: 'skipped', detail: expect.stringContaining('own key') });
    expect(guarded.results[0]).toMatchObject({ outcome: 'skipped', detail: expect.stringContaining('protected') });
    expect(fixture.writes()).toEqual([]);
  });

  it('revokeKey falls back to unassigning the key from every project when the delete is refused', async () => {
    fixture = await startWorkerFixture({ keysPerOrg: 30 }, { flavor });
    const key = pickKey();
    const projects = new Set(key.roles.flatMap((r) => (r.groupId ? [r.groupId] : [])));
    fixture.sim.addFault({ method: 'DELETE', path: `/orgs/${fixture.orgId}/apiKeys/${key.id}`, fault: { kind: 'status', status: 403, errorCode: 'NOT_ORG_OWNER' } });

    const outcome = await runCommand(parseCommand({ action: 'revokeKey', orgId: fixture.orgId, apiUserId: key.id }), context());

    expect(outcome.results[0]).toMatchObject({ outcome: 'failed' });
    expect(outcome.results.slice(1).map((r) => r.outcome)).toEqual([...projects].map(() => 'done'));
    expect(fixture.sim.state.apiKeys.find((k) => k.id === key.id)!.roles.some((r) => r.groupId)).toBe(false);
  });

  it('deleteOrgKey deletes; a second time it is already-absent', async () => {
    fixture = await startWorkerFixture({ keysPerOrg: 10 }, { flavor });
    const key = pickKey();
    const command = parseCommand({ action: 'deleteOrgKey', orgId: fixture.orgId, apiUserId: key.id });

    const first = await runCommand(command, context());
    const second = await runCommand(command, context());

    expect(first.results[0]?.outcome).toBe('done');
    expect(second.results[0]?.outcome).toBe('already-absent');
    expect(fixture.writes()).toHaveLength(1);
  });

  it('revokeProjectKey unassigns the key from that project only', async () => {
    fixture = await startWorkerFixture({ keysPerOrg: 30 }, { flavor });
    const key = pickKey();
    const groupId = key.roles.find((r) => r.groupId)!.groupId!;
    const otherRoles = key.roles.filter((r) => r.groupId !== groupId).length;

    const outcome = await runCommand(parseCommand({ action: 'revokeProjectKey', groupId, apiUserId: key.id }), context());

    expect(outcome.results[0]?.outcome).toBe('done');
    const after = fixture.sim.state.apiKeys.find((k) => k.id === key.id)!;
    expect(after.roles.some((r) => r.groupId === groupId)).toBe(false);
    expect(after.roles).toHaveLength(otherRoles);
  });

  it('pruneAccessListEntry removes a CIDR entry, sending "/" as %2F', async () => {
    fixture = await startWorkerFixture({ keysPerOrg: 10 }, { flavor });
    const key = pickKey(1);
    key.accessList.push({ cidrBlock: '192.0.2.0/24', created: NOW.toISOString(), count: 0 });

    const outcome = await runCommand(
      parseCommand({ action: 'pruneAccessListEntry', orgId: fixture.orgId, apiUserId: key.id, entry: '192.0.2.0/24' }),
      context(),
    );

    expect(outcome.results[0]?.outcome).toBe('done');
    expect(fixture.writes()).toEqual([`DELETE ${prefix}/orgs/${fixture.orgId}/apiKeys/${key.id}/accessList/192.0.2.0%2F24`]);
    expect(key.accessList.some((e) => e.cidrBlock === '192.0.2.0/24')).toBe(false);
  });

  it('pruneAccessListEntry refuses to remove a key\'s last entry or a protected entry', async () => {
    fixture = await startWorkerFixture({ keysPerOrg: 10 }, { flavor });
    const key = pickKey(1);
    key.accessList.splice(1);
    const only = key.accessList[0]!.cidrBlock;
    key.accessList.push({ cidrBlock: '198.51.100.0/24', created: NOW.toISOString(), count: 0 });

    const protectedOne = await runCommand(
      parseCommand({ action: 'pruneAccessListEntry', orgId: fixture.orgId, apiUserId: key.id, entry: '198.51.100.7' }),
      context({ protectedEntries: ['198.51.100.7'] }),
    );
    key.accessList.pop();
    const last = await runCommand(parseCommand({ action: 'pruneAccessListEntry', orgId: fixture.orgId, apiUserId: key.id, entry: only }), context());

    expect(protectedOne.results[0]).toMatchObject({ outcome: 'skipped', detail: expect.stringContaining('protected') });
    expect(last.results[0]).toMatchObject({ outcome: 'skipped', detail: expect.stringContaining('last access-list entry') });
    expect(fixture.writes()).toEqual([]);
  });

  it('sweep follows the policy\'s dry run and a message can only make it drier', async () => {
    fixture = await startWorkerFixture({ keysPerOrg: 40, staleFraction: 0.3 }, { flavor });

    const dryPolicy = await runCommand(parseCommand({ action: 'sweep', orgId: fixture.orgId }), context({ dryRun: true }));
    const dryMessage = await runCommand(parseCommand({ action: 'sweep', orgId: fixture.orgId, dryRun: true }), context({ dryRun: false }));

    expect(dryPolicy.sweep?.dryRun).toBe(true);
    expect(dryMessage.sweep?.dryRun).toBe(true);
    expect(dryPolicy.results.length).toBeGreaterThan(0);
    expect(fixture.writes()).toEqual([]);
  });
});
