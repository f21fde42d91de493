import { it, expect } from 'vitest';
import { sweepOrg } from '../../../lambda/worker/sweep-org.ts';
import { NOW, startWorkerFixture } from '../../helpers/worker-fixture.ts';
it('probe', async () => {
  const fixture = await startWorkerFixture({ keysPerOrg: 230, staleFraction: 0.3 });
  const allIds = fixture.sim.state.apiKeys.map((k) => k.id);
  const base = { client: fixture.client, orgId: fixture.orgId, policy: fixture.policy(), now: NOW, dryRun: false, selfPublicKey: fixture.selfPublicKey, pageSize: 25 };
  let summary = await sweepOrg({ ...base, maxKeys: 17 });
  const all = [...summary.results];
  let n=1;
  while (summary.continuation) { console.log(JSON.stringify(summary.continuation), summary.keysScanned); summary = await sweepOrg({ ...base, maxKeys: 17, cursor: summary.continuation }); all.push(...summary.results); n++; }
  const reads = fixture.sim.requests.filter((r) => r.method === 'GET' && r.status === 200 && r.url.includes('/accessList')).map((r) => /apiKeys\/([a-f0-9]{24})\/accessList/.exec(r.url)![1]);
  const prunes = all.filter(r=>r.action.kind==='pruneAccessListEntry');
  console.log(n, reads.length, allIds.length, prunes.length, prunes.map(p=>p.outcome+':'+p.detail).slice(0,5));
  const listReads = fixture.sim.requests.filter((r) => r.method === 'GET' && r.url.includes('/apiKeys?')).map(r=>r.url);
  console.log(listReads.length, listReads.slice(0,30));
  await fixture.close();
});
