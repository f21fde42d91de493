import { describe, expect, it } from 'vitest';
import { createMemoryState } from '../../lambda/state/memory-state.ts';
import { describeStateContract, keyState } from './state-contract.ts';

describeStateContract('in-memory', async () => createMemoryState());

describe('Function: createMemoryState', () => {
  it('says it is not durable', () => {
    expect(createMemoryState().describe()).toMatch(/in-memory.*neither shared nor durable/);
  });

  it('keeps its own copies: mutating what was put or got changes nothing stored', async () => {
    // Prepare
    const state = createMemoryState();
    const original = { ...keyState(1) };
    await state.keys.put('org-1', [original]);

    // Act
    Object.assign(original, { nextDueMs: 0 });
    const first = await state.keys.get('org-1', [original.apiUserId]);
    Object.assign(first.get(original.apiUserId)!, { descDigest: 'changed' });
    const second = await state.keys.get('org-1', [original.apiUserId]);

    // Assess
    expect(second.get(original.apiUserId)).toEqual(keyState(1));
  });
});
