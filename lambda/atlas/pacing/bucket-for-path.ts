/** `org-keys`: `/orgs/{id}/apiKeys…`; `org-read`: `/orgs/{id}`, `/orgs/{id}/groups`; `project-keys`: `/groups/{id}/apiKeys…`. */
export type BucketKind = 'org-keys' | 'org-read' | 'project-keys';

export interface BucketScope {
  readonly kind: BucketKind;
  readonly id: string;
  /** Which size class of `PacingOptions` applies. */
  readonly size: 'org' | 'project';
}

const ORG_PATH = /^\/orgs\/([a-f0-9]{24})(\/[^?]*)?(?:\?|$)/;
const PROJECT_PATH = /^\/groups\/([a-f0-9]{24})\/apiKeys(?:[/?]|$)/;

/**
 * Which Atlas rate-limit bucket a path (relative to the API prefix) draws from, as Atlas documents them: the
 * org's API-key bucket (access lists included), the org's read bucket, or the project's API-key bucket. Reading
 * a project itself (`/groups/{id}`, rare: command scoping) is in none of them, like `/groups`, and is not paced.
 */
export function bucketForPath(path: string): BucketScope | undefined {
  const org = ORG_PATH.exec(path);
  if (org?.[1] !== undefined) {
    const rest = org[2] ?? '';
    const kind = rest === '/apiKeys' || rest.startsWith('/apiKeys/') ? 'org-keys' : 'org-read';
    return { kind, id: org[1], size: 'org' };
  }
  const project = PROJECT_PATH.exec(path);
  if (project?.[1] !== undefined) return { kind: 'project-keys', id: project[1], size: 'project' };
  return undefined;
}
