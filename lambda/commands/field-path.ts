import { showValue } from './show-value.ts';
import type { KeyPath } from './find-json-hazard.ts';

const PLAIN_SEGMENT = /^[A-Za-z0-9_$-]{1,64}$/;

/**
 * The dotted field name for an error, e.g. `message.cursor.offset`. A key from the input that is not a plain
 * identifier is shown escaped and truncated in brackets (`message["a\u000d\u000ab"]`), so a field never carries
 * raw control characters or more than ~64 characters of one key.
 */
export function fieldPath(source: string, path: KeyPath): string {
  let field = source;
  for (const segment of path) {
    const text = String(segment);
    field += PLAIN_SEGMENT.test(text) ? `.${text}` : `[${showValue(text)}]`;
  }
  return field;
}
