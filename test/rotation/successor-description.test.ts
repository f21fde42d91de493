import { describe, expect, it } from 'vitest';
import { findRetirementDate } from '../../lambda/policy/retirement-tag.ts';
import { hasSuccessorMarker, successorDescription, successorMarker, withRetirementTag } from '../../lambda/rotation/successor-description.ts';

const ID = 'cccccccccccccccccccccc02';
const TOKEN = '7f1c2a9e-3b4d-4e5f-8a6b-9c0d1e2f3a4b';

describe('Function: successorDescription', () => {
  it('keeps the predecessor words and appends the marker naming it and the token', () => {
    expect(successorDescription('billing-service prod', ID, TOKEN)).toBe(`billing-service prod ${successorMarker(ID, TOKEN)}`);
  });

  it('drops an earlier rotation marker and retirement tag, so markers never pile up over rotations', () => {
    const earlier = `billing ${successorMarker('cccccccccccccccccccccc01', 'a'.repeat(36))} atlas-key-worker:retire-after=2026-01-01`;
    expect(successorDescription(earlier, ID, TOKEN)).toBe(`billing ${successorMarker(ID, TOKEN)}`);
  });

  it('fits Atlas 250 characters by shortening the words, never the marker; no description gives the marker alone', () => {
    const long = successorDescription('x'.repeat(300), ID, TOKEN);
    expect(long).toHaveLength(250);
    expect(long.endsWith(` ${successorMarker(ID, TOKEN)}`)).toBe(true);
    expect(successorDescription(undefined, ID, TOKEN)).toBe(successorMarker(ID, TOKEN));
  });

  it('does not split a surrogate pair when it shortens', () => {
    const text = successorDescription('🔑'.repeat(200), ID, TOKEN);
    expect(text.length).toBeLessThanOrEqual(250);
    expect(text).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
  });
});

describe('Function: hasSuccessorMarker', () => {
  it('matches the exact predecessor and token only', () => {
    const desc = successorDescription('app', ID, TOKEN);
    expect(hasSuccessorMarker(desc, ID, TOKEN)).toBe(true);
    expect(hasSuccessorMarker(desc, 'cccccccccccccccccccccc03', TOKEN)).toBe(false);
    expect(hasSuccessorMarker(`${desc}x`, ID, TOKEN)).toBe(false);
    expect(hasSuccessorMarker(desc, ID, TOKEN.slice(0, -1))).toBe(false);
  });
});

describe('Function: withRetirementTag', () => {
  it('appends the fixed tag to the original words, which the policy reads back', () => {
    const tagged = withRetirementTag('billing-service prod', '2026-11-08');
    expect(tagged).toBe('billing-service prod atlas-key-worker:retire-after=2026-11-08');
    expect(findRetirementDate(tagged)).toBe('2026-11-08');
  });

  it('keeps an existing tag (a retried finishSecret never pushes the date out)', () => {
    const tagged = 'app atlas-key-worker:retire-after=2026-11-08';
    expect(withRetirementTag(tagged, '2026-12-31')).toBe(tagged);
  });

  it('keeps the successor marker of a key that was itself a successor, and fits 250 characters', () => {
    const desc = successorDescription('y'.repeat(240), 'cccccccccccccccccccccc01', TOKEN);
    const tagged = withRetirementTag(desc, '2026-11-08');
    expect(tagged.length).toBeLessThanOrEqual(250);
    expect(tagged).toContain(successorMarker('cccccccccccccccccccccc01', TOKEN));
    expect(findRetirementDate(tagged)).toBe('2026-11-08');
    expect(withRetirementTag(undefined, '2026-11-08')).toBe('atlas-key-worker:retire-after=2026-11-08');
  });
});
