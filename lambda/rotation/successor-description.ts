import { formatRetirementTag, findRetirementDate, RETIREMENT_TAG_PREFIX } from '../policy/retirement-tag.ts';
import { MAX_DESC_LENGTH, SUCCESSOR_MARKER_PREFIX } from './constants.ts';

/** `atlas-key-worker:successor-of=<predecessor id>:<token>`: how a retried createSecret recognises its key. */
export function successorMarker(predecessorId: string, token: string): string {
  return `${SUCCESSOR_MARKER_PREFIX}${predecessorId}:${token}`;
}

/** True when `desc` names this predecessor and this rotation token (the marker ends at a space or the end). */
export function hasSuccessorMarker(desc: unknown, predecessorId: string, token: string): boolean {
  if (typeof desc !== 'string') return false;
  const marker = successorMarker(predecessorId, token);
  const at = desc.indexOf(marker);
  if (at < 0) return false;
  const after = desc.charAt(at + marker.length);
  return after === '' || after === ' ';
}

/**
 * The successor's description: the predecessor's own words (its rotation markers and retirement tag dropped),
 * then the marker naming the predecessor and the token; the words are shortened to fit Atlas's 250 characters.
 */
export function successorDescription(predecessorDesc: unknown, predecessorId: string, token: string): string {
  return fitDescription(humanText(predecessorDesc), [successorMarker(predecessorId, token)]);
}

/**
 * `desc` with the retirement tag for `date` (a `YYYY-MM-DD` UTC day) appended; the original words and markers are
 * kept, the words shortened if the whole would pass 250 characters. A description that already carries a tag
 * keeps it (a retried finishSecret must not push the date further out).
 */
export function withRetirementTag(desc: unknown, date: string): string {
  const text = typeof desc === 'string' ? desc : '';
  if (findRetirementDate(text) !== undefined) return text;
  const markers = text.split(/\s+/).filter((word) => word.startsWith(SUCCESSOR_MARKER_PREFIX));
  return fitDescription(humanText(text), [...markers, formatRetirementTag(date)]);
}

/** The description without rotation markers or retirement tags, spaces collapsed. */
function humanText(desc: unknown): string {
  if (typeof desc !== 'string') return '';
  return desc
    .split(/\s+/)
    .filter((word) => word !== '' && !word.startsWith(SUCCESSOR_MARKER_PREFIX) && !word.startsWith(RETIREMENT_TAG_PREFIX))
    .join(' ');
}

/** Words then markers, the words cut (on a character boundary) so that the whole fits. */
function fitDescription(words: string, markers: readonly string[]): string {
  const tail = markers.join(' ');
  const room = MAX_DESC_LENGTH - tail.length - 1;
  if (words === '' || room <= 0) return tail.slice(0, MAX_DESC_LENGTH);
  if (words.length <= room) return `${words} ${tail}`;
  // Atlas counts UTF-16 units; cut between code points, never inside a surrogate pair.
  let kept = '';
  for (const char of words) {
    if (kept.length + char.length > room - 1) break;
    kept += char;
  }
  return `${kept.trimEnd()}… ${tail}`;
}
