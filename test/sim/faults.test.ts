import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Simulator, type SimWorkerCredentials, startSimulator } from '../../sim/index.ts';
import { ATLAS_ACCEPT, DigestClient } from './helpers/digest-client.ts';

describe('Function: startSimulator', () => {
  describe('Method: addFault', () => {
    let sim: Simulator;
    let client: DigestClient;
    let worker: SimWorkerCredentials;

    beforeEach(async () => {
      sim = await startSimulator({ seed: { seed: 4, keysPerOrg: 5 } });
      worker = sim.workers[0] as SimWorkerCredentials;
      client = new DigestClient(sim.baseUrl, worker);
    });

    afterEach(async () => {
      await sim.close();
    });

    it('answers a status fault with an Atlas error body and Retry-After, for `times` requests after `after`', async () => {
      // Prepare
      sim.addFault({ method: 'GET', path: '/apiKeys', after: 1, times: 2, fault: { kind: 'status', status: 503, retryAfterSeconds: 7 } });
      const url = `${sim.baseUrl}/api/atlas/v2/orgs/${worker.orgId}/apiKeys`;

      // Act
      const statuses: number[] = [];
      let faulted: Response | undefined;
      for (let attempt = 0; attempt < 4; attempt += 1) {
        const response = await fetch(url, { headers: { Accept: ATLAS_ACCEPT } });
        statuses.push(response.status);
        if (response.status === 503) faulted = response;
        else await response.arrayBuffer();
      }

      // Assess: unauthenticated requests are 401 unless faulted.
      expect(statuses).toStrictEqual([401, 503, 503, 401]);
      expect(faulted?.headers.get('retry-after')).toBe('7');
      expect(await faulted?.json()).toMatchObject({ error: 503, errorCode: 'UNEXPECTED_ERROR', reason: 'Service Unavailable' });
    });

    it('resets the connection mid-response, after the request took effect', async () => {
      // Prepare
      const target = sim.state.apiKeys[2];
      await client.fetch(`/api/atlas/v2/orgs/${worker.orgId}`); // takes the Digest challenge, so the DELETE is sent once
      sim.addFault({ method: 'DELETE', path: /\/apiKeys\/[a-f0-9]{24}$/, fault: { kind: 'reset' } });

      // Act
      const attempt = client.fetch(`/api/atlas/v2/orgs/${worker.orgId}/apiKeys/${target?.id}`, { method: 'DELETE' });

      // Assess
      await expect(attempt).rejects.toThrow();
      expect(sim.state.apiKeys).not.toContain(target);
    });

    it('answers a malformed fault with 200 and truncated JSON', async () => {
      // Prepare
      sim.addFault({ path: '/apiKeys', times: 1, fault: { kind: 'malformed' } });

      // Act
      const response = await client.fetch(`/api/atlas/v2/orgs/${worker.orgId}/apiKeys`);

      // Assess
      expect(response.status).toBe(200);
      await expect(response.json()).rejects.toThrow(SyntaxError);
    });

    it('adds latency, and removing the rule ends it', async () => {
      // Prepare
      const remove = sim.addFault({ path: '/orgs/', fault: { kind: 'latency', ms: 150 } });
      const path = `/api/atlas/v2/orgs/${worker.orgId}`;

      // Act
      const started = performance.now();
      await client.fetch(path);
      const slow = performance.now() - started;
      const faulted = sim.faultsInjected;
      remove();
      await client.fetch(path);

      // Assess: a lower bound on time (never luck), and a count for the removal.
      expect(slow).toBeGreaterThanOrEqual(290);
      expect(faulted).toBe(2); // the challenge and the signed request
      expect(sim.faultsInjected).toBe(faulted);
    });

    it('hangs a request until close(), which returns promptly', async () => {
      // Prepare
      sim.addFault({ path: '/groups', fault: { kind: 'hang' } });
      const hung = fetch(`${sim.baseUrl}/api/atlas/v2/groups`).catch((error: unknown) => error);
      while (sim.faultsInjected === 0) await new Promise((resolve) => setTimeout(resolve, 5));

      // Act: close() must not wait for the hung request (if it did, the test would time out).
      await sim.close();

      // Assess
      expect(await hung).toBeInstanceOf(Error);
      expect(sim.requests.at(-1)).toMatchObject({ url: '/api/atlas/v2/groups', status: 0 });
    });

    it('stops faulting after clearFaults()', async () => {
      // Prepare
      sim.addFault({ fault: { kind: 'status', status: 500 } });
      sim.clearFaults();

      // Act
      const response = await client.fetch(`/api/atlas/v2/orgs/${worker.orgId}`);

      // Assess
      expect(response.status).toBe(200);
    });
  });

  describe('latencyMs option', () => {
    it('delays every response', async () => {
      // Prepare
      const sim = await startSimulator({ seed: { keysPerOrg: 1 }, latencyMs: 100 });

      // Act
      const started = performance.now();
      const response = await fetch(`${sim.baseUrl}/api/atlas/v2/groups`, { headers: { Accept: ATLAS_ACCEPT } });
      const elapsed = performance.now() - started;
      await sim.close();

      // Assess
      expect(response.status).toBe(401);
      expect(elapsed).toBeGreaterThanOrEqual(95);
    });
  });
});
