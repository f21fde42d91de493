import { createAtlasClient } from '../../../lambda/atlas/index.ts';
import type { AtlasClient, Flavor } from '../../../lambda/atlas/types.ts';
import { envSource } from '../../../lambda/credentials/env-source.ts';
import { resolveSecret } from '../../../lambda/credentials/resolve-secret.ts';
import { secretsManagerSource } from '../../../lambda/credentials/secrets-manager-source.ts';
import { sessionAdminAccess } from '../../../lambda/rotation/admin-access.ts';
import { SUCCESSOR_MARKER_PREFIX } from '../../../lambda/rotation/constants.ts';
import { runRotationStep } from '../../../lambda/rotation/run-rotation-step.ts';
import type { RotationDriver, RotationStep, RotationTarget, StepReport } from '../../../lambda/rotation/types.ts';
import { AtlasSession } from '../../../lambda/worker/atlas-session.ts';
import { RunStats } from '../../../lambda/worker/run-stats.ts';
import { startSimulator } from '../../../sim/index.ts';
import type { SimApiKey, Simulator } from '../../../sim/types.ts';
import { startVersionedSecretsManager, type VersionedSecretsManager } from '../../helpers/local-secrets-manager-versions.ts';
import { ACCOUNTS, buildRotationFixture, KEYS, ORG, T0 } from './fixture.ts';

export type SecretKind = 'ours' | 'profile' | 'service-account';

export interface HarnessOptions {
  readonly kind?: SecretKind;
  readonly flavor?: Flavor;
  /** Rotate the worker's own secret: it is also the admin credential. */
  readonly self?: boolean;
  /** Fields kept beside the credential in the secret. */
  readonly extra?: Record<string, unknown>;
  readonly graceDays?: number;
}

/** Fast retries and no pacing: tests count requests, not time. */
export const TEST_CLIENT = { retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 5 }, pacing: false } as const;

const STEPS: readonly RotationStep[] = ['createSecret', 'setSecret', 'testSecret', 'finishSecret'];

/**
 * The simulator (both flavours on one port), a versioned local Secrets Manager over real HTTP, and the rotation
 * wired as the Lambda wires it (the worker's session as admin). One clock drives both servers.
 */
export async function startRotationHarness(options: HarnessOptions = {}) {
  const kind = options.kind ?? 'ours';
  const flavor = options.flavor ?? 'atlas';
  let nowMs = T0;
  const clock = {
    now: () => new Date(nowMs),
    advanceDays: (days: number) => {
      nowMs += days * 86_400_000;
    },
    advanceMs: (ms: number) => {
      nowMs += ms;
    },
  };
  const sim: Simulator = await startSimulator({ fixture: buildRotationFixture(), now: clock.now });
  const sm: VersionedSecretsManager = await startVersionedSecretsManager({ now: clock.now });
  const secretsManager = sm.client();
  const location = flavor === 'atlas' ? { baseUrl: sim.baseUrl } : { baseUrl: sim.baseUrl, flavor };

  const rotated = options.self ? KEYS.worker : KEYS.app;
  const account = options.self ? ACCOUNTS.worker : ACCOUNTS.app;
  const value =
    kind === 'service-account'
      ? { clientId: account.clientId, clientSecret: account.secret, ...location, ...options.extra }
      : kind === 'profile'
        ? { ...options.extra, PublicKey: rotated.publicKey, PrivateKey: rotated.privateKey, BaseUrl: `${sim.baseUrl}/` }
        : { publicKey: rotated.publicKey, privateKey: rotated.privateKey, ...location, ...options.extra };
  const secretId = sm.create(options.self ? 'atlas-key-worker/credentials' : 'apps/billing', JSON.stringify(value));
  // The secret was stored an hour before its first rotation (a crashed attempt's secret is told apart by time).
  clock.advanceMs(3_600_000);

  const adminEnv: NodeJS.ProcessEnv =
    kind === 'service-account'
      ? { MONGODB_ATLAS_CLIENT_ID: ACCOUNTS.worker.clientId, MONGODB_ATLAS_CLIENT_SECRET: ACCOUNTS.worker.secret }
      : { MONGODB_ATLAS_PUBLIC_API_KEY: KEYS.worker.publicKey, MONGODB_ATLAS_PRIVATE_API_KEY: KEYS.worker.privateKey };
  if (flavor === 'atlas') adminEnv['MONGODB_ATLAS_BASE_URL'] = sim.baseUrl;
  else adminEnv['MONGODB_ATLAS_OPS_MANAGER_URL'] = sim.baseUrl;
  const source = options.self
    ? secretsManagerSource({ secretId, maxAgeSeconds: 1, awsSdkV3Client: secretsManager })
    : envSource(adminEnv);
  const session = new AtlasSession({ source, client: TEST_CLIENT });
  const admin = sessionAdminAccess(session, []);
  const stats = new RunStats();
  const audits: Record<string, unknown>[] = [];
  const target: RotationTarget = { secretId, orgId: ORG, graceDays: options.graceDays ?? 7, secretExpiresAfterHours: 2160 };
  const opened: AtlasClient[] = [];
  // One client per credential, as a consumer keeps one (and OAuth tokens are cached, not fetched per call).
  const consumers = new Map<string, AtlasClient>();

  const step = (name: RotationStep, token: string, driver: RotationDriver = 'secrets-manager'): Promise<StepReport> =>
    runRotationStep({ SecretId: secretId, ClientRequestToken: token, Step: name }, target, {
      secretsManager,
      admin,
      client: TEST_CLIENT,
      now: clock.now,
      driver,
      stats,
      onAudit: (record) => audits.push(record),
    });

  /** A client holding the credential in `stage` of the secret, as a consumer reads it. */
  const consumer = (stage = 'AWSCURRENT'): AtlasClient => {
    const text = sm.value(secretId, stage);
    if (text === undefined) throw new Error(`no ${stage} value`);
    const known = consumers.get(text);
    if (known !== undefined) return known;
    const resolved = resolveSecret(text, 'consumer');
    const client = createAtlasClient({ ...TEST_CLIENT, baseUrl: resolved.baseUrl, flavor: resolved.flavor, credentials: resolved.credentials });
    consumers.set(text, client);
    opened.push(client);
    return client;
  };

  return {
    sim,
    sm,
    secretsManager,
    secretId,
    target,
    clock,
    stats,
    audits,
    session,
    rotatedKey: rotated,
    account,
    step,
    consumer,
    /** Starts a rotation as Secrets Manager does (RotateSecret) and runs the four steps once each. */
    async rotate(): Promise<{ token: string; reports: StepReport[] }> {
      const token = sm.startRotation(secretId);
      const reports: StepReport[] = [];
      for (const name of STEPS) reports.push(await step(name, token));
      return { token, reports };
    },
    /** True when the AWSCURRENT credential authenticates and reads the org, as a consumer at 127.0.0.1 would. */
    async currentWorks(stage = 'AWSCURRENT'): Promise<boolean> {
      try {
        await consumer(stage).getOrg(ORG);
        return true;
      } catch {
        return false;
      }
    },
    /** Keys a rotation created for `predecessorId` (their description names it). */
    successorsOf(predecessorId: string): SimApiKey[] {
      return sim.state.apiKeys.filter((candidate) => candidate.desc?.includes(`${SUCCESSOR_MARKER_PREFIX}${predecessorId}:`) === true);
    },
    keyById(id: string): SimApiKey | undefined {
      return sim.state.apiKeys.find((candidate) => candidate.id === id);
    },
    async close(): Promise<void> {
      await Promise.all(opened.map((client) => client.close()));
      await session.close();
      secretsManager.destroy();
      await sm.close();
      await sim.close();
    },
  };
}

export type RotationHarness = Awaited<ReturnType<typeof startRotationHarness>>;

/** A key's roles and access list in comparable form (ids aside). */
export function profileOfSimKey(key: SimApiKey): { orgRoles: string[]; projects: Record<string, string[]>; accessList: string[] } {
  const projects: Record<string, string[]> = {};
  for (const role of key.roles) {
    if (role.groupId === undefined) continue;
    const roles = projects[role.groupId] ?? [];
    roles.push(role.roleName);
    projects[role.groupId] = roles;
  }
  for (const roles of Object.values(projects)) roles.sort();
  return {
    orgRoles: key.roles.filter((role) => role.groupId === undefined).map((role) => role.roleName).sort(),
    projects,
    accessList: key.accessList.map((entry) => entry.cidrBlock).sort(),
  };
}
