import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { batchOf, FAULT_CASES, runCase } from './fault-cases.ts';
import { type Harness, renderSummary, type SummaryRow, startHarness } from './fault-harness.ts';

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

  it.each(FAULT_CASES)('$name', { timeout: 120_000 }, async (spec) => {
    // Prepare: a warm container; the intended changes are the commands' own
    h = await startHarness(spec.harness);
    await h.warmUp();
    const batch = batchOf(h);
    expect(batch.intended.deletes.size).toBe(4);

    // Act and assess (see runCase)
    const row = await runCase({ h, spec, ...batch, mode: 'batch' });
    expect(row.wrong).toBe(0);
    rows.push(row);
    expect(row.lost).toBe(0);
  });
});
