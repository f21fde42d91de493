import { parseArgs } from 'node:util';
import { startSimulator } from './start-simulator.ts';
import type { ListingOrder, SimulatorOptions } from './types.ts';

/**
 * `npm run sim`: runs the local Atlas / Ops Manager simulator until SIGINT or SIGTERM, printing its base URL and
 * the generated worker credentials (a local toy server: printing them is the point).
 */
const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    keys: { type: 'string', default: '20' },
    orgs: { type: 'string', default: '1' },
    seed: { type: 'string', default: '1' },
    'rate-limit': { type: 'boolean', default: false },
    'time-scale': { type: 'string', default: '1' },
    latency: { type: 'string', default: '0' },
    'listing-order': { type: 'string', default: 'sorted' },
  },
});

function number(flag: string, text: string, min: number): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value < min) {
    console.error(`--${flag} must be a number ≥ ${min} (given ${JSON.stringify(text)})`);
    process.exit(2);
  }
  return value;
}

const timeScale = number('time-scale', values['time-scale'], Number.MIN_VALUE);
const listingOrder = values['listing-order'];
if (listingOrder !== 'sorted' && listingOrder !== 'insertion' && listingOrder !== 'shuffled') {
  console.error(`--listing-order must be sorted, insertion or shuffled (given ${JSON.stringify(listingOrder)})`);
  process.exit(2);
}
const options: SimulatorOptions = {
  port: number('port', values.port, 0),
  seed: { seed: number('seed', values.seed, 0), orgs: number('orgs', values.orgs, 1), keysPerOrg: number('keys', values.keys, 0) },
  latencyMs: number('latency', values.latency, 0),
  listingOrder: listingOrder satisfies ListingOrder,
  ...(values['rate-limit'] && { rateLimit: { timeScale } }),
};
const sim = await startSimulator(options);
console.log(`Atlas simulator listening on ${sim.baseUrl}`);
console.log(`  Atlas:        ${sim.baseUrl}/api/atlas/v2   (Accept: application/vnd.atlas.2023-01-01+json)`);
console.log(`  Ops Manager:  ${sim.baseUrl}/api/public/v1.0`);
console.log(`  OAuth token:  ${sim.baseUrl}/api/oauth/token`);
console.log(`  ${sim.state.apiKeys.length} API keys in ${sim.state.orgs.length} org(s); rate limits ${options.rateLimit ? 'on' : 'off'}`);
for (const worker of sim.workers) {
  console.log(`\nOrg ${worker.orgId}`);
  console.log(`  API key (Digest): id ${worker.apiKeyId}  public ${worker.publicKey}  private ${worker.privateKey}`);
  console.log(`  Service account:  ${worker.clientId}  secret ${worker.clientSecret}`);
}

const stop = () => {
  sim.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
