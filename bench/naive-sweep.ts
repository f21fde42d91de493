import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Agent } from 'undici';
import { digestAuthorization } from '../lambda/atlas/auth/digest/digest-response.ts';
import { findDigestChallenge } from '../lambda/atlas/auth/digest/parse-challenge.ts';
import type { AccessListEntry, ApiKey } from '../lambda/atlas/types.ts';
import { parsePolicy } from '../lambda/policy/parse-policy.ts';
import { plan } from '../lambda/policy/plan.ts';
import type { Action, KeyInventory } from '../lambda/policy/types.ts';
import { policyFor } from './scenario.ts';
import type { WorkerTarget } from './types.ts';

const PREFIX = '/api/atlas/v2';
const ACCEPT = 'application/vnd.atlas.2023-01-01+json';
/** Bounds every retry loop of the naive client. */
const MAX_ATTEMPTS = 50;

export interface NaiveSweepResult {
  readonly wallMs: number;
  /** Time spent listing the org's keys (all pages), ms: the part that does not grow with a prefix. */
  readonly listMs: number;
  /** Listing pages fetched. */
  readonly listPages: number;
  /** Keys in the org's listing. */
  readonly keysListed: number;
  /** Keys whose access list was read (all, or the prefix). */
  readonly keysVisited: number;
  readonly actions: number;
  readonly outcomes: Record<string, number>;
  readonly rateLimited: number;
}

/**
 * The comparison client: what a straightforward script does. One request at a time; HTTP Digest without nonce
 * reuse (every request is sent bare, draws a 401 challenge, then is resent signed: two round trips); a fixed
 * 1 s back-off after a 429 (scaled like the simulator's clock). It lists the whole org first, reads every
 * access list, asks the real planner for the same decisions, then executes the actions in plan order.
 */
export class NaiveClient {
  readonly #agent = new Agent({ connections: 1 });
  #rateLimited = 0;

  constructor(
    private readonly target: WorkerTarget,
    private readonly timeScale: number,
  ) {}

  get rateLimited(): number {
    return this.#rateLimited;
  }

  async call(method: 'GET' | 'DELETE', path: string): Promise<{ status: number; body: unknown }> {
    const uri = PREFIX + path;
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt += 1) {
      const bare = await this.#send(method, uri, undefined);
      if (bare.status !== 401) return bare; // not even asking for credentials
      const challenge = findDigestChallenge(bare.www);
      const realm = challenge?.params['realm'];
      const nonce = challenge?.params['nonce'];
      if (realm === undefined || nonce === undefined) throw new Error(`${method} ${path}: no Digest challenge`);
      const opaque = challenge?.params['opaque'];
      const authorization = digestAuthorization({
        username: this.target.publicKey,
        password: this.target.privateKey,
        realm,
        nonce,
        ...(opaque === undefined ? {} : { opaque }),
        method,
        uri,
        nc: 1,
        cnonce: randomBytes(16).toString('hex'),
      });
      const signed = await this.#send(method, uri, authorization);
      if (signed.status !== 429) return signed;
      this.#rateLimited += 1;
      await sleep(1000 / this.timeScale);
    }
    throw new Error(`${method} ${path}: still rate limited after ${MAX_ATTEMPTS} attempts`);
  }

  close(): Promise<void> {
    return this.#agent.close();
  }

  async #send(method: string, uri: string, authorization: string | undefined): Promise<{ status: number; body: unknown; www: string | string[] | undefined }> {
    const response = await this.#agent.request({
      origin: this.target.baseUrl,
      method: method as 'GET',
      path: uri,
      headers: { accept: ACCEPT, ...(authorization === undefined ? {} : { authorization }) },
    });
    const text = await response.body.text();
    return { status: response.statusCode, body: text === '' ? undefined : (JSON.parse(text) as unknown), www: response.headers['www-authenticate'] };
  }
}

async function getOk(client: NaiveClient, path: string): Promise<{ results: unknown[] }> {
  const { status, body } = await client.call('GET', path);
  if (status !== 200) throw new Error(`GET ${path}: ${status}`);
  return body as { results: unknown[] };
}

function pathOf(action: Action): string {
  switch (action.kind) {
    case 'pruneAccessListEntry':
      return `/orgs/${action.orgId}/apiKeys/${action.apiUserId}/accessList/${encodeURIComponent(action.entry)}`;
    case 'unassignFromProject':
      return `/groups/${action.groupId}/apiKeys/${action.apiUserId}`;
    case 'deleteOrgKey':
      return `/orgs/${action.orgId}/apiKeys/${action.apiUserId}`;
  }
}

/** Sweeps the org (or the first `maxKeys` keys of its listing) the naive way. */
export async function naiveSweep(target: WorkerTarget, timeScale: number, now: Date, maxKeys = Number.POSITIVE_INFINITY): Promise<NaiveSweepResult> {
  const client = new NaiveClient(target, timeScale);
  const policy = parsePolicy(policyFor(target.orgId));
  const started = performance.now();
  try {
    const keys: ApiKey[] = [];
    let listPages = 0;
    for (let pageNum = 1; pageNum <= 10_000; pageNum += 1) {
      const page = await getOk(client, `/orgs/${target.orgId}/apiKeys?pageNum=${pageNum}&itemsPerPage=500`);
      listPages += 1;
      keys.push(...(page.results as ApiKey[]));
      if (page.results.length < 500) break;
    }
    const listMs = performance.now() - started;
    const inventory: KeyInventory[] = [];
    for (const key of keys.slice(0, Math.min(keys.length, maxKeys))) {
      const page = await getOk(client, `/orgs/${target.orgId}/apiKeys/${key.id}/accessList`);
      inventory.push({ key, accessList: page.results as AccessListEntry[] });
    }
    const decided = plan({ orgId: target.orgId, keys: inventory, selfPublicKey: target.publicKey }, policy, now);
    const outcomes: Record<string, number> = {};
    for (const action of decided.actions) {
      const { status } = await client.call('DELETE', pathOf(action));
      const outcome = status === 204 || status === 200 ? 'done' : status === 404 ? 'already-absent' : 'failed';
      outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
    }
    return {
      wallMs: performance.now() - started,
      listMs,
      listPages,
      keysListed: keys.length,
      keysVisited: inventory.length,
      actions: decided.actions.length,
      outcomes,
      rateLimited: client.rateLimited,
    };
  } finally {
    await client.close();
  }
}
