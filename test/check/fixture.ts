import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAtlasClient } from '../../lambda/atlas/index.ts';
import type { Flavor } from '../../lambda/atlas/types.ts';
import type { CheckDeps, ClientTarget } from '../../lambda/check/index.ts';
import type { ResolvedCredentials } from '../../lambda/credentials/types.ts';
import { parsePolicy } from '../../lambda/policy/parse-policy.ts';
import type { ManagedOrg, PolicyInput } from '../../lambda/policy/schema.ts';
import { startSimulator } from '../../sim/index.ts';
import type { SeedSpec, SimApiKey, Simulator, SimulatorOptions, SimWorkerCredentials } from '../../sim/types.ts';

/** One clock for the simulator (its `lastUsed` stamps) and the check (what counts as just used). */
export const NOW = new Date('2026-11-01T12:00:00Z');

/** Short retries: a failure is final after two quick attempts, whatever the machine's load. */
export const FAST_RETRY = { maxAttempts: 2, baseDelayMs: 5, maxDelayMs: 20 } as const;

export interface CheckFixture {
  readonly sim: Simulator;
  readonly worker: SimWorkerCredentials;
  /** The worker's own key in the simulator's state (tests change its roles and access list). */
  readonly ownKey: SimApiKey;
  /** Clients the check built, by target (none when it stopped before sending credentials). */
  readonly clientsBuilt: ClientTarget[];
  /** Dependencies for `runCheck` against the simulator; `options` change one thing each. */
  deps(options?: DepsOptions): CheckDeps;
  /** Requests that would change state: none may ever come from the check. */
  writes(): string[];
  close(): Promise<void>;
}

export interface DepsOptions {
  readonly auth?: 'digest' | 'oauth';
  /** Replaces the private key or client secret. */
  readonly secret?: string;
  /** The credentials' base URL (default: the simulator's). */
  readonly baseUrl?: string;
  readonly flavor?: Flavor;
  readonly policy?: Partial<PolicyInput>;
  /** Credentials per org (default: the first worker's for every org). */
  readonly credentialsFor?: (org: ManagedOrg) => Promise<ResolvedCredentials>;
  readonly extra?: Partial<CheckDeps>;
}

export async function startCheckFixture(
  seed: SeedSpec = {},
  options: Omit<SimulatorOptions, 'seed' | 'now'> = {},
): Promise<CheckFixture> {
  const sim = await startSimulator({ ...options, now: () => NOW, seed: { now: NOW, keysPerOrg: 5, ...seed } });
  const worker = sim.workers[0]!;
  const ownKey = sim.state.apiKeys.find((key) => key.id === worker.apiKeyId)!;
  const clientsBuilt: ClientTarget[] = [];
  return {
    sim,
    worker,
    ownKey,
    clientsBuilt,
    deps(depsOptions = {}) {
      const credentials = (w: SimWorkerCredentials): ResolvedCredentials['credentials'] =>
        depsOptions.auth === 'oauth'
          ? { kind: 'oauth', clientId: w.clientId, clientSecret: depsOptions.secret ?? w.clientSecret }
          : { kind: 'digest', publicKey: w.publicKey, privateKey: depsOptions.secret ?? w.privateKey };
      return {
        policy: parsePolicy({ orgs: [{ orgId: worker.orgId }], ...depsOptions.policy }),
        policySource: 'policy.json',
        credentialsFor:
          depsOptions.credentialsFor ??
          (async () => ({
            credentials: credentials(worker),
            baseUrl: depsOptions.baseUrl ?? sim.baseUrl,
            flavor: depsOptions.flavor ?? 'atlas',
            source: 'secret:atlas-key-worker/credentials',
          })),
        createClient: (target) => {
          clientsBuilt.push(target);
          return createAtlasClient({ ...target, retry: FAST_RETRY });
        },
        now: () => NOW,
        ...depsOptions.extra,
      };
    },
    writes: () => sim.requests.filter((r) => r.method !== 'GET' && !r.url.startsWith('/api/oauth/')).map((r) => `${r.method} ${r.url}`),
    close: () => sim.close(),
  };
}

export interface StaticServer {
  readonly baseUrl: string;
  /** Every request's path and headers, in order. */
  readonly requests: { url: string; headers: IncomingHttpHeaders }[];
  close(): Promise<void>;
}

/**
 * A loopback web server that is not the API: every path answers `status` with `body` (a web server's 404 page,
 * a login page). What a base URL with the wrong host or path reaches.
 */
export async function startStaticServer(status: number, body: string, contentType = 'text/html; charset=utf-8'): Promise<StaticServer> {
  const requests: StaticServer['requests'] = [];
  const server = createServer((request, response) => {
    requests.push({ url: request.url ?? '', headers: request.headers });
    response.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(body) });
    response.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

export const NGINX_404 = '<html>\r\n<head><title>404 Not Found</title></head>\r\n<body>\r\n<center><h1>404 Not Found</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n';
export const LOGIN_PAGE = '<!DOCTYPE html><html><head><title>Sign in</title></head><body><form action="/login"></form></body></html>';
