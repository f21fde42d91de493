/** Versions at which the simulated resources exist, oldest first. */
export const ATLAS_VERSIONS = ['2023-01-01'] as const;

const VERSIONED_TYPE = /^application\/vnd\.atlas\.(\d{4}-\d{2}-\d{2})\+json$/;

export type VersionResult = { ok: true; version: string } | { ok: false; detail: string };

/**
 * Resolves an Atlas `Accept` header to the newest resource version on or before the requested date, as Atlas
 * does for later dates. Missing, unversioned, malformed or too-early dates fail.
 */
export function negotiateVersion(accept: string | undefined, versions: readonly string[] = ATLAS_VERSIONS): VersionResult {
  if (accept === undefined || accept.trim() === '') {
    return { ok: false, detail: 'The request is missing a versioned Accept header (application/vnd.atlas.YYYY-MM-DD+json).' };
  }
  const types = accept.split(',').map((part) => (part.split(';')[0] ?? '').trim().toLowerCase());
  const date = types.map((type) => VERSIONED_TYPE.exec(type)?.[1]).find((found) => found !== undefined);
  if (date === undefined || !isRealDate(date)) {
    return { ok: false, detail: `Invalid accept header or version date: ${JSON.stringify(accept)}.` };
  }
  const version = versions.filter((candidate) => candidate <= date).at(-1);
  if (version === undefined) {
    return { ok: false, detail: `No version of this resource exists on or before ${date}.` };
  }
  return { ok: true, version };
}

function isRealDate(text: string): boolean {
  const parsed = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(parsed.getTime()) && parsed.toISOString().startsWith(text);
}
