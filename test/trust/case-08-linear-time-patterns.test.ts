import { afterEach, describe, expect, it } from 'vitest';
import { createRuntime } from '../../lambda/runtime/create-runtime.ts';
import { audits, message, metric, startWorld, type World, reasons } from './trust-world.ts';

/**
 * Issue 11, case 8: a policy regex could freeze the worker. `^(\w+-?)+$` against a 30-character description took
 * 3.4 s with backtracking and doubled with every character; the description is chosen by whoever creates the
 * key; the Lambda timed out and the message went to the DLQ. Patterns now match in linear time (RE2 semantics).
 * Reproduced through the handler with descriptions far longer than any backtracking engine could finish.
 */
describe('Trust case 8 › a hostile description cannot stall a sweep', () => {
  let world: World | undefined;
  afterEach(async () => {
    await world?.close();
    world = undefined;
  });

  it('^(\\w+-?)+$ as a protection and an expiry pattern against 40- to 5000-character hostile descriptions: the sweep completes', { timeout: 120_000 }, async () => {
    // Prepare: descriptions that almost match (a trailing "!"), the worst case for backtracking
    world = await startWorld();
    const w = world;
    const hostile = [40, 64, 200, 5000].map((length) =>
      w.addKey({ desc: `${'a'.repeat(length - 1)}!`, entries: [{ address: '198.51.100.3', createdDaysAgo: 400, lastUsedDaysAgo: 300 }] }),
    );
    const protectedOne = w.addKey({ desc: 'ci-deploy-prod', entries: [{ address: '198.51.100.4', createdDaysAgo: 400, lastUsedDaysAgo: 300 }] });
    const container = w.container({
      dryRun: false,
      protectedKeys: { descriptionPatterns: ['^(\\w+-?)+$'] },
      expiryPattern: '^(\\w+-?)+$',
    });

    // Act
    const started = performance.now();
    const delivery = await container.deliver([message({ action: 'sweep', orgId: w.orgId })]);
    const elapsedMs = performance.now() - started;

    // Assess: finished, with the right answers: the hostile keys (no match: not protected) deleted as idle,
    // the matching one protected. The bound is generous: backtracking would need hours for the first key alone.
    expect(delivery.failed, reasons(delivery)).toEqual([]);
    expect(metric(delivery.records, 'SweepsCompleted')).toBe(1);
    for (const key of hostile) expect(w.key(key.id), `${key.desc?.length}-character description`).toBeUndefined();
    expect(w.key(protectedOne.id)).toBeDefined();
    expect(audits(delivery.records).filter((r) => r['outcome'] === 'done')).toHaveLength(hostile.length);
    expect(elapsedMs).toBeLessThan(60_000);
  });

  it('a pattern RE2 cannot run in linear time (a backreference, a lookahead) is rejected at start-up, naming the field', () => {
    // The handler's start-up validates the policy before anything else (no secret, queue or table needed).
    const start = (extra: Record<string, unknown>) => () => createRuntime({ KEY_POLICY: JSON.stringify({ orgs: [{ orgId: 'ab'.repeat(12) }], ...extra }) });
    expect(start({ protectedKeys: { descriptionPatterns: ['^(a+)\\1$'] } })).toThrow(/KEY_POLICY\b.*\bprotectedKeys\.descriptionPatterns\.0\b.*backreference/);
    expect(start({ expiryPattern: '(?=x)(\\d{4}-\\d{2}-\\d{2})' })).toThrow(/KEY_POLICY\b.*\bexpiryPattern\b.*lookaround/);
  });
});

