import { afterEach, describe, expect, it } from 'vitest';
import { type RateLimitOptions, type Simulator, type SimWorkerCredentials, startSimulator } from '../../sim/index.ts';
import { DigestClient } from './helpers/digest-client.ts';

describe('Function: startSimulator', () => {
  describe('rate limits', () => {
    let sim: Simulator;

    afterEach(async () => {
      await sim.close();
    });

    async function start(rateLimit: RateLimitOptions): Promise<{ client: DigestClient; worker: SimWorkerCredentials }> {
      sim = await startSimulator({ seed: { seed: 2, keysPerOrg: 2 }, rateLimit });
      const worker = sim.workers[0] as SimWorkerCredentials;
      return { client: new DigestClient(sim.baseUrl, worker), worker };
    }

    it('answers 429 RATE_LIMITED_TOKEN_BUCKET with RateLimit-* and Retry-After once the org bucket is empty', async () => {
      // Prepare
      const { client, worker } = await start({ orgCapacity: 3, orgRefillPerMinute: 6 });
      const path = `/api/atlas/v2/orgs/${worker.orgId}/apiKeys`;

      // Act
      const responses: Response[] = [];
      for (let attempt = 0; attempt < 4; attempt += 1) responses.push(await client.fetch(path));
      const limited = responses[3] as Response;

      // Assess
      expect(responses.map((response) => response.status)).toStrictEqual([200, 200, 200, 429]);
      expect(responses.map((response) => response.headers.get('ratelimit-remaining'))).toStrictEqual(['2', '1', '0', '0']);
      expect(limited.headers.get('ratelimit-limit')).toBe('3');
      expect(limited.headers.get('retry-after')).toBe('10');
      expect(await limited.json()).toMatchObject({
        error: 429,
        errorCode: 'RATE_LIMITED_TOKEN_BUCKET',
        reason: 'Too Many Requests',
        detail: expect.stringContaining('Please retry after 10 seconds. Request capacity: 3. Refill rate: 6 per 60 seconds.'),
      });
    });

    it('does not spend tokens on Digest challenges, and keeps org and project buckets apart', async () => {
      // Prepare
      const { client, worker } = await start({ orgCapacity: 1, orgRefillPerMinute: 1, projectCapacity: 5 });
      const project = sim.state.projects[0]?.id;

      // Act: the first request is a 401 challenge, the second the real one.
      const org = await client.fetch(`/api/atlas/v2/orgs/${worker.orgId}/apiKeys`);
      const projectKeys = await client.fetch(`/api/atlas/v2/groups/${project}/apiKeys`);
      const orgAgain = await client.fetch(`/api/atlas/v2/orgs/${worker.orgId}/apiKeys`);

      // Assess
      expect(sim.requests.map((entry) => entry.status)).toStrictEqual([401, 200, 200, 429]);
      expect([org.status, projectKeys.status, orgAgain.status]).toStrictEqual([200, 200, 429]);
      expect(projectKeys.headers.get('ratelimit-limit')).toBe('5');
    });

    it('refills faster with timeScale and leaves headers out when asked', async () => {
      // Prepare
      // 6 a minute, 20 times faster: one token every 500 ms.
      const { client, worker } = await start({ orgCapacity: 1, orgRefillPerMinute: 6, timeScale: 20, headers: false, retryAfter: false });
      const path = `/api/atlas/v2/orgs/${worker.orgId}`;

      // Act
      await client.fetch(path);
      const limited = await client.fetch(path);
      await new Promise((resolve) => setTimeout(resolve, 600));
      const refilled = await client.fetch(path);

      // Assess
      expect(limited.status).toBe(429);
      expect(limited.headers.get('retry-after')).toBeNull();
      expect(limited.headers.get('ratelimit-limit')).toBeNull();
      expect(refilled.status).toBe(200);
    });
  });
});
