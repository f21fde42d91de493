import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createAtlasClient } from '../lambda/atlas/index.ts';
import { parsePolicy } from '../lambda/policy/parse-policy.ts';
import { createDynamoState, createMemoryState } from '../lambda/state/index.ts';
import type { KeyStateStore, StateBackend, WriteBudget } from '../lambda/state/types.ts';
import { runCommand } from '../lambda/worker/run-command.ts';
import type { IncrementalSweepReport, IncrementalSweepTask, StateUse } from './incremental-types.ts';

/** The state as the worker uses it, with every call counted. */
function counted(state: StateBackend): { keys: KeyStateStore; budget: WriteBudget; use: () => StateUse } {
  const use = { keyGets: 0, keyItemsAsked: 0, keyItemsFound: 0, keyPuts: 0, keyItemsWritten: 0, reservations: 0, keyGetMs: 0, keyPutMs: 0 };
  return {
    keys: {
      async get(orgId, ids) {
        const started = performance.now();
        const found = await state.keys.get(orgId, ids);
        use.keyGetMs += performance.now() - started;
        use.keyGets += 1;
        use.keyItemsAsked += ids.length;
        use.keyItemsFound += found.size;
        return found;
      },
      async put(orgId, states) {
        const started = performance.now();
        await state.keys.put(orgId, states);
        use.keyPutMs += performance.now() - started;
        use.keyPuts += 1;
        use.keyItemsWritten += states.length;
      },
      delete: (orgId, ids) => state.keys.delete(orgId, ids),
    },
    budget: {
      reserve(request) {
        use.reservations += 1;
        return state.budget.reserve(request);
      },
      usage: (orgId, at) => state.budget.usage(orgId, at),
    },
    use: () => ({ ...use }),
  };
}

/**
 * One sweep through the command runner (as the runtime runs it: the policy's share paced by the client, every
 * result counted as it comes, the summary keeping 200), at the task's "now", against the simulator, with the
 * state in the parent's dynalite when given.
 */
export async function incrementalSweep(task: IncrementalSweepTask): Promise<Omit<IncrementalSweepReport, 'maxRssKiB' | 'cpuMs'>> {
  const { target } = task;
  const client = createAtlasClient({
    baseUrl: target.baseUrl,
    flavor: 'atlas',
    credentials: { kind: 'digest', publicKey: target.publicKey, privateKey: target.privateKey },
    pacing: { timeScale: task.timeScale, share: task.share },
    connections: task.connections,
  });
  const dynamodb =
    task.state === undefined
      ? undefined
      : new DynamoDBClient({ endpoint: task.state.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' } });
  const state = counted(dynamodb === undefined || task.state === undefined ? createMemoryState() : createDynamoState({ tableName: task.state.tableName, client: dynamodb }));
  const policy = parsePolicy(
    { orgs: [{ orgId: target.orgId }], dryRun: task.dryRun, maxWritesPerOrgPerDay: 100_000, rateLimitShare: task.share },
    'policy',
  );
  const outcomes: Record<string, number> = {};
  try {
    const started = performance.now();
    const { sweep } = await runCommand(
      { action: 'sweep', orgId: target.orgId },
      {
        client,
        policy,
        now: new Date(task.nowMs),
        selfPublicKey: target.publicKey,
        budget: state.budget,
        ...(task.incremental ? { keyState: state.keys } : {}),
        onResult: (result) => {
          outcomes[result.outcome] = (outcomes[result.outcome] ?? 0) + 1;
        },
        sweep: { resultsLimit: 200 },
      },
    );
    const wallMs = performance.now() - started;
    if (sweep === undefined) throw new Error('the sweep command returned no sweep summary');
    return {
      kind: 'incremental-sweep',
      wallMs,
      keysScanned: sweep.keysScanned,
      keysSkipped: sweep.keysSkipped,
      entriesScanned: sweep.entriesScanned,
      actionsTotal: sweep.actionsTotal,
      outcomes,
      findingsTotal: sweep.findingsTotal,
      complete: sweep.complete,
      state: state.use(),
    };
  } finally {
    await client.close();
    dynamodb?.destroy();
  }
}
