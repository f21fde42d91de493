import { readFileSync } from 'node:fs';

export const ORG_ID = '0123456789abcdef01234567';
export const API_USER_ID = 'fedcba9876543210fedcba98';
export const GROUP_ID = '00112233445566778899aabb';

/** Reads a JSON file from `test/fixtures/`. */
export function readFixture<T>(name: string): T {
  return JSON.parse(readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8')) as T;
}

/** An "Atlas API Key Revocation Requested" event shaped like AWS's documented samples, with overrides. */
export function revocationEvent(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { ...readFixture<Record<string, unknown>>('revocation-event.json'), ...overrides };
}
