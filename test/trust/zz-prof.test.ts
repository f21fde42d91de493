import { it } from 'vitest';
import { message, startWorld } from './trust-world.ts';
it('prof', async () => {
  let t = Date.now();
  const w = await startWorld({ noon: true });
  console.error('start', Date.now() - t); t = Date.now();
  for (let i = 0; i < 500; i++) w.addKey({ entries: [{ address: '198.51.100.9', createdDaysAgo: 400, lastUsedDaysAgo: 200 }] });
  console.error('add', Date.now() - t); t = Date.now();
  const c = w.container({ dryRun: false, maxWritesPerOrgPerDay: 300 });
  console.error('container', Date.now() - t); t = Date.now();
  await c.deliver([message({ action: 'sweep', orgId: w.orgId })]);
  console.error('wet', Date.now() - t, w.sim.requests[w.sim.requests.length-1]!.at - w.sim.requests[0]!.at); t = Date.now();
  await w.close();
  console.error('close', Date.now() - t);
}, 120000);
