import { RE2JS } from 're2js';

const SYNTAX = 'patterns use RE2 syntax (https://github.com/google/re2/wiki/Syntax), which matches in linear time';
const LOOKAROUND = /\(\?<?[=!]/;
const BACKREFERENCE = /\\[1-9]|\\k</;

/**
 * Why `source` is not a usable policy pattern, or `undefined` when it is. RE2 cannot express backreferences or
 * lookaround (that is what keeps matching linear); those get a message saying so rather than RE2's parse error.
 * `captureGroups`, when given, is the exact number of capture groups the pattern must have.
 */
export function checkPattern(source: string, captureGroups?: number): string | undefined {
  let compiled: RE2JS;
  try {
    compiled = RE2JS.compile(source);
  } catch (error) {
    if (LOOKAROUND.test(source)) return `uses lookaround ((?=, (?!, (?<=, (?<!), which is not supported: ${SYNTAX}`;
    if (BACKREFERENCE.test(source)) return `uses a backreference (\\1, \\k<name>), which is not supported: ${SYNTAX}`;
    return `is not a valid regular expression (${(error as Error).message}): ${SYNTAX}`;
  }
  const found = compiled.groupCount();
  if (captureGroups !== undefined && found !== captureGroups) {
    return `must have exactly ${captureGroups} capture group${captureGroups === 1 ? '' : 's'}, found ${found}`;
  }
  return undefined;
}
