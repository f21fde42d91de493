import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { createRuntime } from '../../lambda/runtime/create-runtime.ts';
import { captureOutput } from '../helpers/capture-output.ts';
import { startWorkerFixture, type WorkerFixture } from '../helpers/worker-fixture.ts';

const secretsMock = mockClient(SecretsManagerClient);
const DEFAULT_SECRET = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:atlas-key-worker/credentials-AbCdEf';
const SECOND_SECRET = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:atlas-key-worker/second-org-GhIjKl';

describe('Handler: an org with its own credentials (policy.orgs[].secretId)', () => {
  let fixture: WorkerFixture;
  afterEach(async () => {
    secretsMock.reset();
    await fixture?.close();
  });

  it('sweeps each org with its own Org Owner key: neither key is used on the other org', async () => {
    // Prepare: two orgs, each with its own worker key (Org Owner of that org only).
    fixture = await startWorkerFixture({ orgs: 2, keysPerOrg: 20, staleFraction: 0.3 });
    const [first, second] = fixture.sim.workers;
    if (!first || !second) throw new Error('the fixture has two orgs');
    const secrets: Record<string, unknown> = {
      [DEFAULT_SECRET]: { publicKey: first.publicKey, privateKey: first.privateKey, baseUrl: fixture.sim.baseUrl },
      [SECOND_SECRET]: { PublicKey: second.publicKey, PrivateKey: second.privateKey, BaseUrl: fixture.sim.baseUrl },
    };
    secretsMock.on(GetSecretValueCommand).callsFake((input: { SecretId: string }) => ({ SecretString: JSON.stringify(secrets[input.SecretId]) }));
    const output = captureOutput();
    try {
      const runtime = createRuntime(
        {
          ATLAS_SECRET_ID: DEFAULT_SECRET,
          KEY_POLICY: JSON.stringify({ orgs: [{ orgId: first.orgId }, { orgId: second.orgId, secretId: SECOND_SECRET }] }),
          ATLAS_RATE_LIMIT_TIME_SCALE: '100',
        },
        { secretsManager: new SecretsManagerClient({ region: 'us-east-1' }), client: { retry: { maxAttempts: 2, baseDelayMs: 5, maxDelayMs: 20 } } },
      );

      // Act
      const one = (await runtime.handle({ action: 'sweep', orgId: first.orgId })) as { sweep?: { complete: boolean; keysScanned: number } };
      const two = (await runtime.handle({ action: 'sweep', orgId: second.orgId })) as { sweep?: { complete: boolean; keysScanned: number } };
      await runtime.session.close();

      // Assess: both complete, each listing read with its own org's key.
      expect(one.sweep?.complete).toBe(true);
      expect(two.sweep?.complete).toBe(true);
      const listings = fixture.sim.requests.filter((r) => r.method === 'GET' && /\/orgs\/[a-f0-9]{24}\/apiKeys\?/.test(r.url) && r.status === 200);
      expect(listings.some((r) => r.url.includes(first.orgId))).toBe(true);
      expect(listings.some((r) => r.url.includes(second.orgId))).toBe(true);
      expect(fixture.sim.requests.some((r) => r.status === 403)).toBe(false);
      expect(output.text()).not.toContain(second.privateKey);
      expect(output.text()).not.toContain(first.privateKey);
    } finally {
      output.stop();
    }
  });
});
