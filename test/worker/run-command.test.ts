import { afterEach, describe, expect, it } from 'vitest';
import { parseCommand } from '../../lambda/commands/parse-command.ts';
import { createMemoryState } from '../../lambda/state/index.ts';
import { CommandRejectedError } from '../../lambda/worker/errors.ts';
import { type CommandContext, runCommand } from '../../lambda/worker/run-command.ts';
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

  it('pruneAccessListEntry removes a CIDR entry, sending "/" as %2F, after re-reading the access list', async () => {
    fixture = await startWorkerFixture({ keysPerOrg: 10 }, { flavor });
    const key = pickKey(1);
    // Older than every other entry's evidence: removing it cannot make the key look idle longer
    const oldest = Math.min(...key.accessList.map((e) => Date.parse(e.lastUsed ?? e.created)));
    key.accessList.push({ cidrBlock: '192.0.2.0/24', created: new Date(oldest - 86_400_000).toISOString(), count: 0 });
    const from = fixture.sim.requests.length;

    const outcome = await runCommand(
      parseCommand({ action: 'pruneAccessListEntry', orgId: fixture.orgId, apiUserId: key.id, entry: '192.0.2.0/24' }),
      context(),
    );

    expect(outcome.results[0]?.outcome).toBe('done');
    expect(fixture.writes()).toEqual([`DELETE ${prefix}/orgs/${fixture.orgId}/apiKeys/${key.id}/accessList/192.0.2.0%2F24`]);
    expect(key.accessList.some((e) => e.cidrBlock === '192.0.2.0/24')).toBe(false);
    const answered = fixture.sim.requests.slice(from).filter((r) => r.status !== 401);
    const accessListRead = answered.findIndex((r) => r.method === 'GET' && r.url.startsWith(`${prefix}/orgs/${fixture.orgId}/apiKeys/${key.id}/accessList`));
    expect(accessListRead).toBeGreaterThanOrEqual(0);
    expect(accessListRead).toBeLessThan(answered.findIndex((r) => r.method === 'DELETE'));
  });

  it("pruneAccessListEntry refuses to remove the entry holding the key's newest usage evidence", async () => {
    fixture = await startWorkerFixture({ keysPerOrg: 10 }, { flavor });
    const key = pickKey(1);
    // Created now and never used: its `created` is the newest evidence the key has
    key.accessList.push({ cidrBlock: '192.0.2.0/24', created: NOW.toISOString(), count: 0 });

    const outcome = await runCommand(
      parseCommand({ action: 'pruneAccessListEntry', orgId: fixture.orgId, apiUserId: key.id, entry: '192.0.2.0/24' }),
      context(),
    );

    expect(outcome.results[0]).toMatchObject({ outcome: 'skipped', detail: expect.stringContaining('newest usage evidence') });
    expect(fixture.writes()).toEqual([]);
    expect(key.accessList.some((e) => e.cidrBlock === '192.0.2.0/24')).toBe(true);
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

describe('Function: runCommand › policy scope, command mode and budget', () => {
  let fixture: WorkerFixture;
  afterEach(() => fixture?.close());

  /** Two orgs; the policy lists only the first, the worker's credentials reach both (an Org Owner of each). */
  const start = async () => {
    fixture = await startWorkerFixture({ orgs: 2, keysPerOrg: 10 });
    const other = fixture.sim.workers[1]!.orgId;
    fixture.sim.state.apiKeys.find((k) => k.publicKey === fixture.selfPublicKey)!.roles.push({ orgId: other, roleName: 'ORG_OWNER' });
    const otherKey = fixture.sim.state.apiKeys.find((k) => k.orgId === other && k.roles.some((r) => r.groupId))!;
    const otherProject = fixture.sim.state.projects.find((p) => p.orgId === other)!.id;
    const key = fixture.sim.state.apiKeys.find(
      (k) => k.orgId === fixture.orgId && k.publicKey !== fixture.selfPublicKey && k.roles.some((r) => r.groupId),
    )!;
    return { other, otherKey, otherProject, key };
  };
  const context = (overrides: Record<string, unknown> = {}, extra: Partial<CommandContext> = {}): CommandContext => ({
    client: fixture.client,
    policy: fixture.policy(overrides),
    now: NOW,
    selfPublicKey: fixture.selfPublicKey,
    ...extra,
  });

  it('rejects a command for an org outside the policy, naming orgId, before any request', async () => {
    const { other, otherKey } = await start();
    const commands = [
      { action: 'deleteOrgKey', orgId: other, apiUserId: otherKey.id },
      { action: 'revokeKey', orgId: other, publicKey: otherKey.publicKey },
      { action: 'pruneAccessListEntry', orgId: other, apiUserId: otherKey.id, entry: '192.0.2.1' },
      { action: 'sweep', orgId: other },
    ];

    for (const command of commands) {
      const run = runCommand(parseCommand(command), context());
      await expect(run).rejects.toBeInstanceOf(CommandRejectedError);
      await expect(run).rejects.toMatchObject({ field: 'orgId', message: expect.stringContaining('not in this worker\'s policy') });
    }

    expect(fixture.sim.requests).toEqual([]);
  });

  it("rejects revokeProjectKey for a project of another org, naming groupId, after only reading the project", async () => {
    const { otherKey, otherProject } = await start();

    const run = runCommand(parseCommand({ action: 'revokeProjectKey', groupId: otherProject, apiUserId: otherKey.id }), context());

    await expect(run).rejects.toMatchObject({ name: 'CommandRejectedError', field: 'groupId' });
    const answered = fixture.sim.requests.filter((r) => r.status !== 401);
    expect(answered.map((r) => `${r.method} ${r.url}`)).toEqual([`GET /api/atlas/v2/groups/${otherProject}`]);
  });

  it('acts on any org the credentials reach when scoped to the credentials (the CLI without a policy file)', async () => {
    const { other, otherKey } = await start();

    const outcome = await runCommand(parseCommand({ action: 'deleteOrgKey', orgId: other, apiUserId: otherKey.id }), context({}, { scope: 'credentials' }));

    expect(outcome.results[0]?.outcome).toBe('done');
    expect(fixture.writes()).toEqual([`DELETE /api/atlas/v2/orgs/${other}/apiKeys/${otherKey.id}`]);
  });

  it('commands "reject" refuses explicit commands before any request; sweeps are governed by dryRun, not by it', async () => {
    const { key } = await start();

    const run = runCommand(parseCommand({ action: 'deleteOrgKey', orgId: fixture.orgId, apiUserId: key.id }), context({ commands: 'reject' }));
    await expect(run).rejects.toMatchObject({ name: 'CommandRejectedError', field: 'action' });
    expect(fixture.sim.requests).toEqual([]);

    const sweep = await runCommand(parseCommand({ action: 'sweep', orgId: fixture.orgId }), context({ commands: 'reject', dryRun: true }));
    expect(sweep.sweep?.keysScanned).toBeGreaterThan(0);
  });

  it('commands "dry-run" reports each explicit command and sends no write, even with the sweep policy live', async () => {
    const { key } = await start();
    const entry = key.accessList[0]!.cidrBlock;
    const groupId = key.roles.find((r) => r.groupId)!.groupId!;
    const commands = [
      { action: 'deleteOrgKey', orgId: fixture.orgId, apiUserId: key.id },
      { action: 'revokeKey', orgId: fixture.orgId, publicKey: key.publicKey },
      { action: 'revokeProjectKey', groupId, apiUserId: key.id },
      { action: 'pruneAccessListEntry', orgId: fixture.orgId, apiUserId: key.id, entry },
    ];

    const outcomes = [];
    for (const command of commands) outcomes.push(await runCommand(parseCommand(command), context({ commands: 'dry-run', dryRun: false })));

    expect(outcomes.map((o) => o.results.map((r) => [r.outcome, r.detail]))).toEqual(
      commands.map(() => [['skipped', 'dry run (policy commands: "dry-run"): no request sent']]),
    );
    expect(fixture.writes()).toEqual([]);
  });

  it('revokeKey by id reads that one key (no listing); revocations are recorded in the budget but never refused', async () => {
    const { key } = await start();
    const state = createMemoryState();
    const groupId = key.roles.find((r) => r.groupId)!.groupId!;
    const spent = context({ maxWritesPerOrgPerDay: 0 }, { budget: state.budget });

    const unassign = await runCommand(parseCommand({ action: 'revokeProjectKey', groupId, apiUserId: key.id }), spent);
    const revoke = await runCommand(parseCommand({ action: 'revokeKey', orgId: fixture.orgId, apiUserId: key.id }), spent);

    expect(unassign.results[0]).toMatchObject({ outcome: 'skipped', detail: expect.stringContaining('write budget exhausted') });
    expect(revoke.results.map((r) => r.outcome)).toEqual(['done']);
    expect(fixture.writes()).toEqual([`DELETE /api/atlas/v2/orgs/${fixture.orgId}/apiKeys/${key.id}`]);
    expect(await state.budget.usage(fixture.orgId, NOW)).toBe(1);
    expect(fixture.sim.requests.some((r) => r.url.includes(`/orgs/${fixture.orgId}/apiKeys?`))).toBe(false);
  });
});
