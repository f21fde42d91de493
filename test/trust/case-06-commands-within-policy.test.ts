import { afterEach, describe, expect, it } from 'vitest';
import revocationEvent from '../fixtures/revocation-event.json' with { type: 'json' };
import { audits, type Lane, message, startWorld, type World, reasons } from './trust-world.ts';

const FAILED = 'queue message failed; it will be retried, then moved to the DLQ';

/**
 * Issue 11, case 6: explicit commands ignored the policy — with `dryRun: true` a queue command or a revocation
 * event still wrote, and commands acted on orgs and projects outside `KEY_POLICY.orgs`. Now every command's org
 * (a project's org, looked up) must be in the policy, and `commands` ("execute" | "dry-run" | "reject") governs
 * explicit commands as `dryRun` governs sweeps. Reproduced through the handler, with credentials that can
 * reach a second org (Org Owner there too) that the policy does not list.
 */
describe('Trust case 6 › explicit commands stay within the policy', { timeout: 120_000 }, () => {
  let world: World | undefined;
  afterEach(async () => {
    await world?.close();
    world = undefined;
  });

  async function twoOrgs() {
    world = await startWorld({ seed: { orgs: 2 } });
    const w = world;
    const otherOrg = w.sim.workers[1]!.orgId;
    // The worker's credentials are Org Owner of the other org too: only the policy keeps the worker out.
    w.sim.state.apiKeys.find((k) => k.id === w.worker.apiKeyId)!.roles.push({ orgId: otherOrg, roleName: 'ORG_OWNER' });
    const otherProject = w.sim.state.projects.find((p) => p.orgId === otherOrg)!.id;
    const entries = [
      { address: '198.51.100.1', createdDaysAgo: 300, lastUsedDaysAgo: 200 },
      { address: '192.0.2.1', createdDaysAgo: 300, lastUsedDaysAgo: 2 },
    ];
    const outside = w.addKey({ orgId: otherOrg, entries, projects: [otherProject] });
    const inside = w.addKey({ entries, projects: [w.projects()[0]!] });
    return { w, otherOrg, otherProject, outside, inside };
  }

  /** Every explicit command, for `key` in `orgId` (project `groupId`), with the lane it comes by. */
  function commandsFor(orgId: string, groupId: string, key: { id: string; publicKey: string }): Array<[Lane, unknown]> {
    return [
      ['urgent', { action: 'deleteOrgKey', orgId, apiUserId: key.id }],
      ['urgent', { action: 'revokeKey', orgId, apiUserId: key.id }],
      ['urgent', { ...revocationEvent, detail: { orgId, publicKey: key.publicKey, reason: 'found in a build log' } }],
      ['work', { action: 'revokeProjectKey', groupId, apiUserId: key.id }],
      ['work', { action: 'pruneAccessListEntry', orgId, apiUserId: key.id, entry: '198.51.100.1' }],
    ];
  }

  it('a command for an org (or a project of an org) not in the policy is rejected, naming the field, and sends no write', async () => {
    // Prepare
    const { w, otherOrg, otherProject, outside } = await twoOrgs();
    const container = w.container({ dryRun: false });
    const commands: Array<[Lane, unknown]> = [...commandsFor(otherOrg, otherProject, outside), ['work', { action: 'sweep', orgId: otherOrg }]];

    // Act
    const reasons: string[] = [];
    for (const [lane, command] of commands) {
      const m = message(command as Record<string, unknown>);
      const delivery = await container.deliver([m], lane);
      expect(delivery.failed, JSON.stringify(command)).toEqual([m.messageId]);
      reasons.push(String(delivery.records.find((r) => r['message'] === FAILED)?.['reason']));
    }

    // Assess
    expect(w.writes()).toEqual([]);
    expect(w.key(outside.id)?.accessList).toHaveLength(2);
    expect(reasons.map((reason) => /\b(orgId|groupId)\b/.exec(reason)?.[1])).toEqual(['orgId', 'orgId', 'orgId', 'groupId', 'orgId', 'orgId']);
    for (const reason of reasons) expect(reason).toMatch(/^CommandRejectedError: (orgId|groupId): .*not in this worker's policy \(KEY_POLICY\.orgs\); nothing was sent/);
  });

  it('commands: "dry-run" sends no write for any command, queue or revocation event, in the policy’s own org', async () => {
    // Prepare
    const { w, inside } = await twoOrgs();
    const container = w.container({ dryRun: false, commands: 'dry-run' });

    // Act
    const outcomes: unknown[] = [];
    for (const [lane, command] of commandsFor(w.orgId, w.projects()[0]!, inside)) {
      const delivery = await container.deliver([message(command as Record<string, unknown>)], lane);
      expect(delivery.failed, reasons(delivery)).toEqual([]);
      outcomes.push(...audits(delivery.records).map((r) => [r['outcome'], String(r['detail']).startsWith('dry run')]));
    }

    // Assess
    expect(w.writes()).toEqual([]);
    expect(outcomes.length).toBeGreaterThanOrEqual(5);
    for (const outcome of outcomes) expect(outcome).toEqual(['skipped', true]);
  });

  it('commands: "reject" refuses every explicit command, naming the field; dryRun (sweeps) sends no write either', async () => {
    // Prepare
    const { w, inside } = await twoOrgs();
    const container = w.container({ dryRun: true, commands: 'reject' });

    // Act
    for (const [lane, command] of commandsFor(w.orgId, w.projects()[0]!, inside)) {
      const m = message(command as Record<string, unknown>);
      const delivery = await container.deliver([m], lane);
      expect(delivery.failed).toEqual([m.messageId]);
      expect(String(delivery.records.find((r) => r['message'] === FAILED)?.['reason'])).toMatch(/\baction: .*commands: "reject"/);
    }
    const sweep = await container.deliver([message({ action: 'sweep', orgId: w.orgId })]);

    // Assess: the sweep planned actions (a stale entry, a key idle in a project) and sent none of them
    expect(sweep.failed, reasons(sweep)).toEqual([]);
    expect(audits(sweep.records).length).toBeGreaterThan(0);
    expect(w.writes()).toEqual([]);
  });
});
