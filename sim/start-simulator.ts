import { createServer, type IncomingMessage, STATUS_CODES, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { apiError } from './api-error.ts';
import { authenticate } from './authenticate.ts';
import { DigestAuthenticator } from './digest-authenticator.ts';
import { FaultInjector } from './fault-injector.ts';
import { findWorkerCredentials } from './find-worker-credentials.ts';
import { generateState } from './generate-state.ts';
import { handleApiRoute } from './handle-api-route.ts';
import { handleOAuthRequest, type OAuthDeps } from './handle-oauth-request.ts';
import { matchRoute } from './match-route.ts';
import { negotiateVersion } from './negotiate-version.ts';
import { OAuthTokens } from './oauth-tokens.ts';
import { type BucketSize, RateLimiter } from './rate-limiter.ts';
import type { Flavor, SimResponse } from './server-types.ts';
import { StateIndex } from './state-index.ts';
import type { FaultKind, ListingOrder, RequestLogEntry, Simulator, SimulatorOptions } from './types.ts';

const PREFIXES: Readonly<Record<Flavor, string>> = { atlas: '/api/atlas/v2', 'ops-manager': '/api/public/v1.0' };
const MAX_BODY_BYTES = 1 << 20;
/** Live Atlas's capacities, sent on org and project API-key answers even when nothing is counted. */
const STATIC_LIMITS: Readonly<Record<BucketSize, number>> = { org: 500, project: 1200 };

/** What a request resolved to before it is written. */
interface Outcome {
  response: SimResponse;
  /** Content type of a successful body. */
  successType: string;
}

/**
 * Starts the local Atlas / Ops Manager simulator on 127.0.0.1 (both flavours on one port) and resolves once it
 * listens. The state is generated from `seed` unless a `fixture` is given.
 */
export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const generated = options.fixture === undefined ? generateState(options.seed ?? {}) : undefined;
  const state = options.fixture ?? generated?.state ?? generateState({}).state;
  const workers = generated?.workers ?? findWorkerCredentials(state);
  const now = options.now ?? (() => new Date());
  const nowMs = () => now().getTime();
  const clientAddress = options.clientAddress ?? '127.0.0.1';
  const latencyMs = options.latencyMs ?? 0;
  const index = new StateIndex(state);
  const digest = new DigestAuthenticator(options.nonceTtlMs ?? 300_000, nowMs);
  const tokens = new OAuthTokens(options.tokenTtlSeconds ?? 3600, nowMs);
  const limiter = options.rateLimit === undefined ? undefined : new RateLimiter(options.rateLimit);
  const oauth: OAuthDeps = { index, tokens, timeScale: options.rateLimit?.timeScale ?? 1, buckets: new Map(), now };
  const faults = new FaultInjector();
  const requests: RequestLogEntry[] = [];
  const timers = new Set<NodeJS.Timeout>();
  let baseUrl = '';
  let listingOrder: ListingOrder = checkListingOrder(options.listingOrder ?? 'sorted');

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      if (ms <= 0) return resolve();
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve();
      }, ms);
      timers.add(timer);
    });

  function dispatch(request: IncomingMessage, path: string, query: URLSearchParams, body: string): Outcome {
    const json = 'application/json';
    const method = request.method ?? 'GET';
    if (path === '/api/oauth/token' || path === '/api/oauth/revoke') {
      return { response: handleOAuthRequest(oauth, method, path, request.headers.authorization, body), successType: json };
    }
    const flavor = flavorOf(path);
    if (flavor === undefined) {
      // Outside the APIs the web server answers, with a page, not an Atlas error (a client with a wrong base URL).
      const page = '<!DOCTYPE html><html><head><title>404 Not Found</title></head><body><h1>Not Found</h1></body></html>';
      const headers = { 'Content-Type': 'text/html;charset=utf-8' };
      return { response: { status: 404, rawBody: page, isError: true, noEnvelope: true, headers }, successType: json };
    }
    let successType = json;
    if (flavor === 'atlas') {
      const version = negotiateVersion(request.headers.accept);
      if (!version.ok) return { response: apiError(406, 'INVALID_VERSION_DATE', version.detail), successType };
      successType = `application/vnd.atlas.${version.version}+json;charset=utf-8`;
    }
    const segments = decodeSegments(path.slice(PREFIXES[flavor].length));
    if (segments === undefined) {
      return { response: apiError(400, 'VALIDATION_ERROR', 'The request path is not valid URL encoding.'), successType };
    }
    const route = matchRoute(method, segments);
    if (!route.ok) return { response: route.response, successType };
    if (flavor === 'atlas' && route.versions !== undefined) {
      // Resources newer than 2023-01-01 (service accounts) resolve the Accept date against their own versions.
      const version = negotiateVersion(request.headers.accept, route.versions);
      if (!version.ok) return { response: apiError(406, 'INVALID_VERSION_DATE', version.detail), successType };
      successType = `application/vnd.atlas.${version.version}+json;charset=utf-8`;
    }

    // Buckets scoped by org or project are known before auth; a 401 shows their headers without using a token.
    const size: BucketSize = route.limit === 'orgKeys' || route.limit === 'orgRead' ? 'org' : 'project';
    const scopeId = route.params['orgId'] ?? route.params['groupId'];
    // Live Atlas sends its limits on every org and project API-key answer; with nothing counted, a full bucket.
    const keyRoute = route.limit === 'orgKeys' || route.limit === 'projectKeys';
    const staticHeaders: Record<string, string> =
      limiter === undefined && keyRoute
        ? { 'Ratelimit-Limit': String(STATIC_LIMITS[size]), 'Ratelimit-Remaining': String(STATIC_LIMITS[size]) }
        : {};
    const auth = authenticate(
      { index, digest, tokens, clientAddress, now },
      { method, target: request.url ?? path, authorization: request.headers.authorization, flavor },
    );
    if (!auth.ok) {
      if (limiter !== undefined && scopeId !== undefined) {
        auth.response.headers = { ...auth.response.headers, ...limiter.peek(`${route.limit}:${scopeId}`, size) };
      }
      auth.response.headers = { ...auth.response.headers, ...staticHeaders };
      return { response: auth.response, successType };
    }
    let rateHeaders: Record<string, string> = staticHeaders;
    if (limiter !== undefined) {
      const scope = `${route.limit}:${scopeId ?? auth.caller.id}`;
      const what = route.limit === 'user' ? 'this user' : route.limit === 'projectKeys' ? `project ${scopeId}` : `organization ${scopeId}`;
      const outcome = limiter.consume(scope, size, what);
      if (outcome.rejection !== undefined) return { response: outcome.rejection, successType };
      rateHeaders = outcome.headers;
    }
    const response = handleApiRoute(route.name, {
      flavor,
      state,
      index,
      caller: auth.caller,
      params: route.params,
      query,
      base: `${baseUrl}${PREFIXES[flavor]}`,
      selfUrl: `${baseUrl}${path}`,
      clientAddress,
      listingOrder,
      body,
      now,
    });
    response.headers = { ...response.headers, ...rateHeaders };
    return { response, successType };
  }

  async function serve(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const method = request.method ?? 'GET';
    const target = request.url ?? '/';
    const entry: RequestLogEntry = { method, url: target, status: 0, auth: authScheme(request.headers.authorization), at: Date.now() };
    requests.push(entry);
    options.onRequest?.({ method, url: target, headers: request.headers });
    const body = await readBody(request);
    const queryAt = target.indexOf('?');
    const path = queryAt < 0 ? target : target.slice(0, queryAt);
    const query = new URLSearchParams(queryAt < 0 ? '' : target.slice(queryAt + 1));
    const fault = faults.match(method, path);
    if (fault?.kind === 'hang') return; // answered never; close() destroys the socket

    let outcome: Outcome;
    if (fault?.kind === 'status') outcome = { response: faultResponse(fault), successType: 'application/json' };
    else if (fault?.kind === 'malformed') outcome = { response: { status: 200 }, successType: 'application/json' };
    else outcome = dispatch(request, path, query, body);
    if (fault?.kind === 'headers') outcome.response.headers = replaceHeaders(outcome.response.headers, fault.headers);
    await sleep(latencyMs + (fault?.kind === 'latency' ? fault.ms : 0));
    if (response.destroyed) return;

    if (fault?.kind === 'malformed') {
      const text = '{"results":[{"id":"5f1a2b3c4d5e6f7a8b9c0d1e","desc":"trunc';
      const type = path.startsWith(PREFIXES.atlas) ? 'application/vnd.atlas.2023-01-01+json;charset=utf-8' : 'application/json';
      response.writeHead(200, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(text) });
      response.end(text);
      entry.status = 200;
      return;
    }
    const written = render(outcome, query);
    if (fault?.kind === 'reset') {
      resetMidResponse(request, written);
      return;
    }
    response.writeHead(written.status, written.headers);
    response.end(written.text);
    entry.status = written.status;
  }

  const server = createServer((request, response) => {
    serve(request, response).catch((error: unknown) => {
      if (response.headersSent) return void response.destroy();
      const failure = render({ response: apiError(500, 'UNEXPECTED_ERROR', String(error)), successType: '' }, new URLSearchParams());
      response.writeHead(failure.status, failure.headers);
      response.end(failure.text);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    baseUrl,
    state,
    workers,
    requests,
    get faultsInjected() {
      return faults.injected;
    },
    get issuedTokens() {
      return [...tokens.issued];
    },
    get listingOrder() {
      return listingOrder;
    },
    set listingOrder(order: ListingOrder) {
      listingOrder = checkListingOrder(order);
    },
    addFault: (rule) => faults.add(rule),
    clearFaults: () => faults.clear(),
    close: () =>
      new Promise<void>((resolve) => {
        for (const timer of timers) clearTimeout(timer);
        timers.clear();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function flavorOf(path: string): Flavor | undefined {
  for (const flavor of ['atlas', 'ops-manager'] as const) {
    const prefix = PREFIXES[flavor];
    if (path === prefix || path.startsWith(`${prefix}/`)) return flavor;
  }
  return undefined;
}

function decodeSegments(rest: string): string[] | undefined {
  try {
    return rest
      .split('/')
      .filter((segment) => segment !== '')
      .map((segment) => decodeURIComponent(segment));
  } catch {
    return undefined;
  }
}

/** The scheme only; credentials never reach the log. */
function authScheme(header: string | undefined): string {
  const scheme = header?.trim().split(/\s+/, 1)[0]?.toLowerCase();
  return scheme === undefined || scheme === '' ? 'none' : scheme;
}

/** `headers` with `replacements` in, any header of the same name in another case taken out. */
function replaceHeaders(headers: Record<string, string> | undefined, replacements: Readonly<Record<string, string>>): Record<string, string> {
  const replaced = new Set(Object.keys(replacements).map((name) => name.toLowerCase()));
  const kept = Object.entries(headers ?? {}).filter(([name]) => !replaced.has(name.toLowerCase()));
  return { ...Object.fromEntries(kept), ...replacements };
}

function checkListingOrder(order: ListingOrder): ListingOrder {
  if (order === 'sorted' || order === 'insertion' || order === 'shuffled') return order;
  throw new RangeError(`listingOrder must be "sorted", "insertion" or "shuffled" (given ${JSON.stringify(order)})`);
}

function faultResponse(fault: Extract<FaultKind, { kind: 'status' }>): SimResponse {
  const retryAfter = fault.retryAfterSeconds === undefined ? {} : { 'Retry-After': String(fault.retryAfterSeconds) };
  if (fault.body !== undefined) {
    // Not an Atlas answer (a proxy, a wrong base URL): the raw text, as is.
    const type = fault.body === '' ? {} : { 'Content-Type': fault.contentType ?? 'text/html;charset=utf-8' };
    return { status: fault.status, rawBody: fault.body, isError: true, noEnvelope: true, headers: { ...retryAfter, ...type } };
  }
  const code = fault.errorCode ?? (fault.status === 429 ? 'RATE_LIMITED' : fault.status >= 500 ? 'UNEXPECTED_ERROR' : 'INJECTED_FAULT');
  return apiError(fault.status, code, `Injected fault (status ${fault.status}).`, retryAfter, fault.parameters ?? null);
}

interface Written {
  status: number;
  headers: Record<string, string | number>;
  text: string;
}

/**
 * Applies `envelope` and `pretty`, picks the content type and serialises. `envelope=true` answers 200 with the
 * real status in the body: a list's own object gains `status` (the spec: "Endpoints that return a list of
 * results use the results object as an envelope"); anything else is wrapped as `{status, content}`.
 */
function render(outcome: Outcome, query: URLSearchParams): Written {
  const { response } = outcome;
  const headers: Record<string, string | number> = { ...response.headers };
  if (response.rawBody !== undefined) {
    if (response.rawBody !== '') headers['Content-Length'] = Buffer.byteLength(response.rawBody);
    return { status: response.status, headers, text: response.rawBody };
  }
  const pretty = response.pretty === true || query.get('pretty') === 'true';
  const envelope = query.get('envelope') === 'true' && !response.noEnvelope && response.status !== 401;
  let status = response.status;
  let body = response.body;
  if (envelope) {
    body = isList(body) ? { ...body, status } : { status, content: body ?? {} };
    status = 200;
  }
  if (body === undefined || status === 204) {
    // Live Atlas sends its versioned media type on 204s too (and the spec declares it), though there is no body.
    if (status === 204 && outcome.successType.startsWith('application/vnd.atlas.')) headers['Content-Type'] = outcome.successType;
    return { status, headers, text: '' };
  }
  const text = pretty ? prettyJson(body) : JSON.stringify(body);
  headers['Content-Type'] = response.isError && !envelope ? 'application/json' : outcome.successType || 'application/json';
  headers['Content-Length'] = Buffer.byteLength(text);
  return { status, headers, text };
}

function isList(body: unknown): body is Record<string, unknown> {
  return typeof body === 'object' && body !== null && Array.isArray((body as { results?: unknown }).results);
}

/** Pretty-printed as Atlas's Jackson does it: two-space indent and `"name" : value`. */
function prettyJson(body: unknown): string {
  // Names never hold a quote here, and JSON escapes newlines inside strings: a line starts with a name or a value.
  return JSON.stringify(body, null, 2).replace(/^(\s*"[^"\n]*"):/gm, '$1 :');
}

/** Writes about half of the raw response, then destroys the socket (a connection reset mid-response). */
function resetMidResponse(request: IncomingMessage, written: Written): void {
  const head = [`HTTP/1.1 ${written.status} ${STATUS_CODES[written.status] ?? ''}`];
  for (const [name, value] of Object.entries(written.headers)) head.push(`${name}: ${value}`);
  if (written.headers['Content-Length'] === undefined) head.push('Content-Length: 64');
  const raw = Buffer.from(`${head.join('\r\n')}\r\n\r\n${written.text}`);
  const socket = request.socket;
  socket.write(raw.subarray(0, Math.max(1, Math.floor(raw.length / 2))), () => socket.destroy());
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size <= MAX_BODY_BYTES) chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}
