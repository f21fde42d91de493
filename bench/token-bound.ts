import type { RequestLogEntry } from '../sim/types.ts';
import { RATE_LIMIT } from './scenario.ts';

export interface BucketUse {
  /** e.g. `org-keys:<orgId>`, `project-keys:<groupId>`. */
  readonly bucket: string;
  /** Requests that took a token (everything but 401 challenges and 429 refusals). */
  readonly requests: number;
  readonly capacity: number;
  readonly refillPerSecond: number;
  /** max(0, requests − capacity) / refillPerSecond, in ms: no client can do this bucket's work faster. */
  readonly boundMs: number;
}

const ORG = /^\/api\/(?:atlas\/v2|public\/v1\.0)\/orgs\/([a-f0-9]{24})(\/apiKeys(?:\/|$))?/;
const PROJECT = /^\/api\/(?:atlas\/v2|public\/v1\.0)\/groups\/([a-f0-9]{24})\/apiKeys(?:\/|$)/;

/** Which simulator bucket a logged request drew from (independent of the client's own classification). */
function bucketOf(url: string): { bucket: string; size: 'org' | 'project' } | undefined {
  const path = url.split('?', 1)[0] ?? url;
  const org = ORG.exec(path);
  if (org?.[1] !== undefined) return { bucket: `${org[2] === undefined ? 'org-read' : 'org-keys'}:${org[1]}`, size: 'org' };
  const project = PROJECT.exec(path);
  if (project?.[1] !== undefined) return { bucket: `project-keys:${project[1]}`, size: 'project' };
  return undefined;
}

/**
 * The token-bucket lower bound on wall time for the requests in `log`: per bucket, the requests beyond the
 * starting capacity must wait for refill; the slowest bucket sets the bound.
 */
export function tokenBound(log: readonly RequestLogEntry[]): { boundMs: number; buckets: BucketUse[] } {
  const counts = new Map<string, { requests: number; size: 'org' | 'project' }>();
  for (const entry of log) {
    if (entry.status === 401 || entry.status === 429 || entry.status === 0) continue;
    const scope = bucketOf(entry.url);
    if (scope === undefined) continue;
    const count = counts.get(scope.bucket) ?? { requests: 0, size: scope.size };
    count.requests += 1;
    counts.set(scope.bucket, count);
  }
  const buckets = [...counts.entries()].map(([bucket, { requests, size }]): BucketUse => {
    const capacity = size === 'org' ? RATE_LIMIT.orgCapacity : RATE_LIMIT.projectCapacity;
    const perMinute = size === 'org' ? RATE_LIMIT.orgRefillPerMinute : RATE_LIMIT.projectRefillPerMinute;
    const refillPerSecond = (perMinute / 60) * RATE_LIMIT.timeScale;
    return { bucket, requests, capacity, refillPerSecond, boundMs: (Math.max(0, requests - capacity) / refillPerSecond) * 1000 };
  });
  buckets.sort((a, b) => b.boundMs - a.boundMs || b.requests - a.requests);
  return { boundMs: buckets[0]?.boundMs ?? 0, buckets };
}

export interface BucketReplay {
  /** Refill lost because the bucket was full (the run had not yet drained it, or paused while full), ms. */
  readonly refillLostWhileFullMs: number;
  /** Whole tokens the bucket still held when its last request arrived: unused at the end. */
  readonly tokensLeftAtEnd: number;
}

/**
 * Replays the busiest bucket of `log` as the simulator kept it, to say where a run lost time against the bound:
 * wall − bound ≈ refill lost while full + tokens left at the end + the last answer's round trip.
 */
export function replayBusiestBucket(log: readonly RequestLogEntry[]): BucketReplay {
  const { buckets } = tokenBound(log);
  const busiest = buckets[0];
  if (busiest === undefined) return { refillLostWhileFullMs: 0, tokensLeftAtEnd: 0 };
  const perMs = busiest.refillPerSecond / 1000;
  let tokens = busiest.capacity;
  let last = log[0]?.at ?? 0;
  let lostMs = 0;
  for (const entry of log) {
    if (entry.status === 401 || entry.status === 429 || entry.status === 0) continue;
    if (bucketOf(entry.url)?.bucket !== busiest.bucket) continue;
    const refilled = tokens + (entry.at - last) * perMs;
    if (refilled > busiest.capacity) lostMs += (refilled - busiest.capacity) / perMs;
    tokens = Math.min(busiest.capacity, refilled) - 1;
    last = entry.at;
  }
  return { refillLostWhileFullMs: Math.round(lostMs), tokensLeftAtEnd: Math.max(0, Math.floor(tokens)) };
}
