import { apiError } from './api-error.ts';
import type { WriteRouteName } from './handle-write-route.ts';
import type { SimResponse } from './server-types.ts';

export type RouteName =
  | 'listProjects'
  | 'getProject'
  | 'listProjectKeys'
  | 'unassignKey'
  | 'getOrg'
  | 'listOrgKeys'
  | 'getKey'
  | 'deleteKey'
  | 'listAccessList'
  | 'getAccessListEntry'
  | 'deleteAccessListEntry'
  | 'listOrgProjects'
  | WriteRouteName;

/** Which Atlas rate-limit bucket an endpoint draws from. */
export type LimitScope = 'orgKeys' | 'orgRead' | 'projectKeys' | 'user';

interface RouteDef {
  readonly pattern: readonly string[];
  readonly methods: Readonly<Partial<Record<string, RouteName>>>;
  readonly limit: LimitScope;
  /** Versions the resource exists at (Atlas), oldest first. @default ['2023-01-01'] */
  readonly versions?: readonly string[];
}

const ROUTES: readonly RouteDef[] = [
  { pattern: ['groups'], methods: { GET: 'listProjects' }, limit: 'user' },
  { pattern: ['groups', ':groupId'], methods: { GET: 'getProject' }, limit: 'user' },
  { pattern: ['groups', ':groupId', 'apiKeys'], methods: { GET: 'listProjectKeys' }, limit: 'projectKeys' },
  { pattern: ['groups', ':groupId', 'apiKeys', ':apiUserId'], methods: { DELETE: 'unassignKey', POST: 'assignKey', PATCH: 'setProjectKeyRoles' }, limit: 'projectKeys' },
  { pattern: ['orgs', ':orgId'], methods: { GET: 'getOrg' }, limit: 'orgRead' },
  { pattern: ['orgs', ':orgId', 'groups'], methods: { GET: 'listOrgProjects' }, limit: 'orgRead' },
  { pattern: ['orgs', ':orgId', 'apiKeys'], methods: { GET: 'listOrgKeys', POST: 'createKey' }, limit: 'orgKeys' },
  { pattern: ['orgs', ':orgId', 'apiKeys', ':apiUserId'], methods: { GET: 'getKey', DELETE: 'deleteKey', PATCH: 'updateKey' }, limit: 'orgKeys' },
  {
    pattern: ['orgs', ':orgId', 'apiKeys', ':apiUserId', 'accessList'],
    methods: { GET: 'listAccessList', POST: 'addAccessList' },
    limit: 'orgKeys',
  },
  {
    pattern: ['orgs', ':orgId', 'apiKeys', ':apiUserId', 'accessList', ':ipAddress'],
    methods: { GET: 'getAccessListEntry', DELETE: 'deleteAccessListEntry' },
    limit: 'orgKeys',
  },
  ...serviceAccountRoutes(),
];

export type RouteMatch =
  | { ok: true; name: RouteName; params: Record<string, string>; limit: LimitScope; versions?: readonly string[] }
  | { ok: false; response: SimResponse };

/** Matches decoded path segments (after the API prefix): unknown path → 404, known path, other method → 405. */
export function matchRoute(method: string, segments: readonly string[]): RouteMatch {
  for (const route of ROUTES) {
    const params = matchPattern(route.pattern, segments);
    if (params === undefined) continue;
    const name = route.methods[method];
    if (name === undefined) {
      const allow = Object.keys(route.methods).join(', ');
      return { ok: false, response: apiError(405, 'METHOD_NOT_ALLOWED', `Method ${method} is not allowed here.`, { Allow: allow }) };
    }
    return { ok: true, name, params, limit: route.limit, ...(route.versions === undefined ? {} : { versions: route.versions }) };
  }
  const path = `/${segments.join('/')}`;
  return { ok: false, response: apiError(404, 'RESOURCE_NOT_FOUND', `Cannot find resource ${path}.`, undefined, [path]) };
}

function matchPattern(pattern: readonly string[], segments: readonly string[]): Record<string, string> | undefined {
  if (pattern.length !== segments.length) return undefined;
  const params: Record<string, string> = {};
  for (const [at, part] of pattern.entries()) {
    const segment = segments[at] ?? '';
    if (part.startsWith(':')) params[part.slice(1)] = segment;
    else if (part !== segment) return undefined;
  }
  return params;
}

/** Service-account endpoints (Atlas only, version 2024-08-05), for rotation. */
function serviceAccountRoutes(): RouteDef[] {
  const versions = ['2024-08-05'] as const;
  return [
    { pattern: ['orgs', ':orgId', 'serviceAccounts', ':clientId'], methods: { GET: 'getServiceAccount' }, limit: 'orgRead', versions },
    {
      pattern: ['orgs', ':orgId', 'serviceAccounts', ':clientId', 'secrets'],
      methods: { POST: 'createServiceAccountSecret' },
      limit: 'orgRead',
      versions,
    },
    {
      pattern: ['orgs', ':orgId', 'serviceAccounts', ':clientId', 'secrets', ':secretId'],
      methods: { DELETE: 'deleteServiceAccountSecret' },
      limit: 'orgRead',
      versions,
    },
  ];
}
