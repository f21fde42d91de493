/**
 * `npm start`: the whole worker against the bundled local Atlas simulator, with no account and no network.
 * Seeds a realistic org, runs a dry-run sweep (the plan), executes it (the outcomes and metrics), then sweeps
 * again to show that nothing is left to do.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../lambda/cli/run-cli.ts';
import { startSimulator } from './index.ts';

const sim = await startSimulator({
  seed: { seed: 7, keysPerOrg: 300, projectsPerOrg: 6, entriesPerKey: [1, 4], staleFraction: 0.2 },
  rateLimit: { timeScale: 60 },
  latencyMs: 5,
});
const worker = sim.workers[0]!;
const dir = await mkdtemp(join(tmpdir(), 'atlas-key-worker-'));
const policyFile = join(dir, 'policy.json');
const policy = {
  orgs: [{ orgId: worker.orgId }],
  accessListIdleDays: 90,
  neverUsedGraceDays: 30,
  unassignAfterIdleDays: 90,
  deleteAfterIdleDays: 180,
  expiryPattern: 'expires:(\\d{4}-\\d{2}-\\d{2})',
  protectedKeys: { descriptionPatterns: ['^break-glass'] },
  maxWritesPerOrgPerDay: 500,
};
await writeFile(policyFile, `${JSON.stringify(policy, null, 2)}\n`);

// The simulator's generated worker credentials, passed the way the Atlas CLI takes them.
const env = {
  ...process.env,
  MONGODB_ATLAS_PUBLIC_API_KEY: worker.publicKey,
  MONGODB_ATLAS_PRIVATE_API_KEY: worker.privateKey,
};
const io = { env, stdout: process.stdout, stderr: process.stderr, client: { pacing: { timeScale: 60 } } };
const args = ['sweep', '--org', worker.orgId, '--base-url', sim.baseUrl, '--policy', policyFile];
const writes = () => sim.requests.filter((r) => r.method === 'DELETE').length;
const heading = (text: string) => process.stdout.write(`\n${'='.repeat(100)}\n${text}\n${'='.repeat(100)}\n`);

let exitCode = 0;
try {
  process.stdout.write(
    `Local Atlas simulator at ${sim.baseUrl}: org ${worker.orgId}, ${sim.state.apiKeys.length} API keys, ` +
      `${sim.state.projects.length} projects.\nPolicy: ${JSON.stringify(policy)}\n`,
  );
  heading('1. Dry run: the plan (no request that changes anything is sent)');
  exitCode ||= await runCli(args, io);
  process.stdout.write(`\nDELETE requests sent during the dry run: ${writes()}\n`);

  heading(`2. Execute the plan (each write reserved first in the org's daily write budget of ${policy.maxWritesPerOrgPerDay})`);
  exitCode ||= await runCli([...args, '--execute'], io);
  process.stdout.write(
    `\nDELETE requests sent: ${writes()} of at most ${policy.maxWritesPerOrgPerDay} a day (maxWritesPerOrgPerDay); ` +
      `API keys left in the org: ${sim.state.apiKeys.length}\n`,
  );

  heading('3. Sweep again: nothing is left to do');
  exitCode ||= await runCli(args, io);
  process.stdout.write(
    `\nDone. Point the same CLI at a real org with:\n  MONGODB_ATLAS_PUBLIC_API_KEY=... MONGODB_ATLAS_PRIVATE_API_KEY=... npm run cli -- sweep --org <ORG_ID>\n`,
  );
} finally {
  await sim.close();
  await rm(dir, { recursive: true, force: true });
}
process.exitCode = exitCode;
