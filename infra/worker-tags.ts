import { Tags } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { SERVICE_NAME } from '../lambda/telemetry/metric-names.ts';

/** Every resource of the worker carries `app=atlas-key-worker`. */
export const APP_TAG_KEY = 'app';
export const APP_TAG_VALUE = SERVICE_NAME;

// AWS tag rules: letters, digits, spaces and _ . : / = + - @; keys 1-128, values 0-256; `aws:` is reserved.
const TAG_TEXT = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;

/** Throws, naming the tag, when a user tag would be rejected by AWS or overrides `app`. */
export function checkTags(field: string, tags: Readonly<Record<string, string>>): void {
  for (const [key, value] of Object.entries(tags)) {
    if (key.length < 1 || key.length > 128 || !TAG_TEXT.test(key) || key.toLowerCase().startsWith('aws:')) {
      throw new Error(
        `${field}: tag key ${JSON.stringify(key)} must be 1 to 128 letters, digits, spaces or _ . : / = + - @, not starting with aws:`,
      );
    }
    if (value.length > 256 || !TAG_TEXT.test(value)) {
      throw new Error(`${field}: tag ${key} must have a value of at most 256 letters, digits, spaces or _ . : / = + - @`);
    }
    if (key === APP_TAG_KEY && value !== APP_TAG_VALUE) {
      throw new Error(`${field}: tag ${APP_TAG_KEY} is the worker's own (${APP_TAG_VALUE}); choose another key`);
    }
  }
}

/** Tags every taggable resource under `scope` with `app=atlas-key-worker` and the user's tags. */
export function applyWorkerTags(scope: IConstruct, tags: Readonly<Record<string, string>>): void {
  Tags.of(scope).add(APP_TAG_KEY, APP_TAG_VALUE);
  for (const [key, value] of Object.entries(tags)) Tags.of(scope).add(key, value);
}

/**
 * Reads tags from context: `k=v,k2=v2` (from `-c tags=…`) or an object (from `cdk.json`). Pure, for tests.
 * Values may contain `=`; keys may not.
 */
export function tagsFromContext(value: unknown, key = 'tags'): Record<string, string> {
  if (value === undefined || value === '') return {};
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const entries = Object.entries(value);
    if (entries.every(([, v]) => typeof v === 'string')) return Object.fromEntries(entries) as Record<string, string>;
  }
  if (typeof value !== 'string') {
    throw new Error(`context "${key}" must be key=value pairs separated by commas (given ${JSON.stringify(value)})`);
  }
  const tags: Record<string, string> = {};
  for (const pair of value.split(',')) {
    const text = pair.trim();
    if (text === '') continue;
    const at = text.indexOf('=');
    if (at <= 0) throw new Error(`context "${key}" must be key=value pairs separated by commas (given "${text}")`);
    const name = text.slice(0, at).trim();
    if (name in tags) throw new Error(`context "${key}" gives tag ${name} twice`);
    tags[name] = text.slice(at + 1).trim();
  }
  return tags;
}
