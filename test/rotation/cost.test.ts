import { afterEach, describe, expect, it } from 'vitest';
import { KEYS } from './helpers/fixture.ts';
import { type RotationHarness, startRotationHarness } from './helpers/rotation-harness.ts';

/**
 * What one rotation costs: HTTP requests to Atlas and calls to Secrets Manager, per step. The counts follow from
 * the fixture (the org's keys fit one listing page, the key is in two projects, its access list fits one POST);
 * the wall time is printed for the record, never asserted (the machine may be busy).
 */
describe('Rotation: the cost of one rotation', () => {
  let h: RotationHarness | undefined;

  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it.each([
    // createSecret: Digest challenge, listing, predecessor's access list, POST key, successor's access list, POST
    // entries, one assignment per project; setSecret: listing, both access lists, the successor's again (verify);
    // testSecret: a new client's challenge and GET org; finishSecret: listing, PATCH.
    { kind: 'ours', atlas: { createSecret: 6 + 2, setSecret: 4, testSecret: 2, finishSecret: 2 } },
    // createSecret: token, GET account, POST secret; setSecret: GET account; testSecret: token, GET org.
    { kind: 'service-account', atlas: { createSecret: 3, setSecret: 1, testSecret: 2, finishSecret: 0 } },
  ] as const)('$kind secret', async ({ kind, atlas }) => {
    // Prepare
    h = await startRotationHarness({ kind });
    const token = h.sm.startRotation(h.secretId);
    const counts: Record<string, { atlas: number; secretsManager: number; ms: number }> = {};

    // Act
    const started = performance.now();
    for (const step of ['createSecret', 'setSecret', 'testSecret', 'finishSecret'] as const) {
      const [atlasBefore, smBefore, stepStarted] = [h.sim.requests.length, h.sm.calls.length, performance.now()];
      await h.step(step, token);
      counts[step] = { atlas: h.sim.requests.length - atlasBefore, secretsManager: h.sm.calls.length - smBefore, ms: Math.round(performance.now() - stepStarted) };
    }
    const totalMs = Math.round(performance.now() - started);

    // Assess
    expect(Object.fromEntries(Object.entries(counts).map(([step, count]) => [step, count.atlas]))).toEqual(atlas);
    expect(Object.fromEntries(Object.entries(counts).map(([step, count]) => [step, count.secretsManager]))).toEqual({
      createSecret: 4, // DescribeSecret, AWSCURRENT, AWSPENDING, PutSecretValue
      setSecret: 3,
      testSecret: 3,
      finishSecret: 5, // and two UpdateSecretVersionStage
    });
    expect(h.successorsOf(KEYS.app.id)).toHaveLength(kind === 'ours' ? 1 : 0);
    const total = Object.values(counts).reduce((sum, count) => ({ atlas: sum.atlas + count.atlas, sm: sum.sm + count.secretsManager }), { atlas: 0, sm: 0 });
    console.log(`one rotation (${kind}): ${total.atlas} Atlas requests, ${total.sm} Secrets Manager calls, ${totalMs} ms`, counts);
  });
});
