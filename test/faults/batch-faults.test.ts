import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { SimApiKey } from '../../sim/types.ts';
import { FAULT_CASES, runCase } from './fault-cases.ts';
import { emptyIntended, type Harness, type Intended, intendedOf, renderSummary, type SummaryRow, startHarness } from './fault-harness.ts';

/**
 * Fault matrix (b): one SQS event carrying several queue commands (deleteOrgKey, revokeKey by id and by public
 * key, revokeProjectKey, pruneAccessListEntry, and one for a key that does not exist), through the handler.
 */
describe('Fault matrix › a batch of queue commands through the handler', () => {
  const rows: SummaryRow[] = [];
  let h: Harness | undefined;

  afterEach(async () => {
    await h?.close();
    h = undefined;
  });
  afterAll(() => {
    process.stdout.write(`${renderSummary('Fault matrix: batch (one SQS event of 9 queue commands)', rows)}\n`);
  });

  /** Nine commands on distinct keys (the worker's own excluded). */
  function commandsFor(harness: Harness): Record<string, unknown>[] {
    const { sim, orgId, worker } = harness;
    const used = new Set<string>([worker.apiKeyId]);
    const take = (test: (k: SimApiKey) => boolean): SimApiKey => {
      const key = sim.state.apiKeys.find((k) => !used.has(k.id) && test(k));
      if (!key) throw new Error('seed has no key for this command');
      used.add(key.id);
      return key;
    };
    const any = () => true;
    const inProject = (k: SimApiKey) => k.roles.some((r) => r.groupId !== undefined);
    const twoEntries = (k: SimApiKey) => new Set(k.accessList.map((e) => e.cidrBlock)).size >= 2;
    const project = (k: SimApiKey) => k.roles.find((r) => r.groupId !== undefined)!.groupId!;
    const [p1, p2] = [take(inProject), take(inProject)];
    const [e1, e2] = [take(twoEntries), take(twoEntries)];
    return [
      { action: 'deleteOrgKey', orgId, apiUserId: take(any).id },
      { action: 'revokeKey', orgId, publicKey: take(any).publicKey, reason: 'leaked in a build log' },
      { action: 'revokeProjectKey', groupId: project(p1), apiUserId: p1.id },
      { action: 'pruneAccessListEntry', orgId, apiUserId: e1.id, entry: e1.accessList[0]!.cidrBlock },
      { action: 'deleteOrgKey', orgId, apiUserId: 'cd'.repeat(12) },
      { action: 'revokeKey', orgId, apiUserId: take(any).id },
      { action: 'revokeProjectKey', groupId: project(p2), apiUserId: p2.id },
      { action: 'pruneAccessListEntry', orgId, apiUserId: e2.id, entry: e2.accessList[1]!.cidrBlock },
      { action: 'deleteOrgKey', orgId, apiUserId: take(any).id },
    ];
  }

  it.each(FAULT_CASES)('$name', async (spec) => {
    // Prepare: a warm container; the intended changes are the commands' own
    h = await startHarness(spec.harness);
    await h.warmUp();
    const harness = h;
    const intended = emptyIntended();
    const perMessage = new Map<string, Intended>();
    const messages = commandsFor(harness).map((command) => {
      const message = harness.message(command);
      const own = emptyIntended();
      intendedOf(command, harness.sim, own);
      intendedOf(command, harness.sim, intended);
      perMessage.set(message.messageId, own);
      return message;
    });
    expect(intended.deletes.size).toBe(4);

    // Act and assess (see runCase)
    const row = await runCase({ h, spec, intended, messages, perMessage, mode: 'batch' });
    rows.push(row);
    expect(row.lost).toBe(0);
  });
});
