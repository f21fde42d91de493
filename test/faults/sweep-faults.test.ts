import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { FAULT_CASES, runCase } from './fault-cases.ts';
import { type Harness, renderSummary, type SummaryRow, startHarness } from './fault-harness.ts';

/**
 * Fault matrix (a): one `sweep` message (execute mode) through the handler, against the simulator over real
 * HTTP, with each fault injected. The intended changes come from a dry-run plan made before the fault.
 */
describe('Fault matrix › sweep in execute mode through the handler', () => {
  const rows: SummaryRow[] = [];
  let h: Harness | undefined;

  afterEach(async () => {
    await h?.close();
    h = undefined;
  });
  afterAll(() => {
    process.stdout.write(`${renderSummary('Fault matrix: sweep (one SQS sweep message, execute mode)', rows)}\n`);
  });

  it.each(FAULT_CASES)('$name', { timeout: 120_000 }, async (spec) => {
    // Prepare: a warm container, and the plan the sweep should carry out
    h = await startHarness(spec.harness);
    const intended = await h.planSweep();
    await h.warmUp();
    expect(intended.deletes.size).toBeGreaterThan(0);
    expect(intended.prunes.size + intended.unassigns.size).toBeGreaterThan(0);
    const sweep = h.message({ action: 'sweep', orgId: h.orgId });

    // Act and assess (see runCase)
    const row = await runCase({ h, spec, intended, messages: [sweep], perMessage: new Map([[sweep.messageId, intended]]), mode: 'sweep' });
    rows.push(row);
    expect(row.lost).toBe(0);
    expect(row.wrong).toBe(0);
  });
});
