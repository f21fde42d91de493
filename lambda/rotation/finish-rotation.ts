import type { AtlasSecretValue } from '../credentials/secret-shape.ts';
import { parseAtlasSecret } from '../credentials/secret-shape.ts';
import { retireApiKeyPredecessor } from './api-key-steps.ts';
import { RotationStateError } from './errors.ts';
import { versionWithStage } from './secrets-store.ts';
import type { StepContext, StepResult } from './step-context.ts';

/**
 * finishSecret: AWSCURRENT moves to the new version (Secrets Manager puts AWSPREVIOUS on the old one), AWSPENDING
 * comes off it; then an API key's predecessor gets its retirement tag. AWSCURRENT moves first: a tag on a key that
 * is still current would have the sweep delete a key in use, should the move never happen. A service account's
 * previous secret is left to the sweep's rule (`planServiceAccountSecretRetirement`).
 */
export async function finishRotation(context: StepContext): Promise<StepResult> {
  const { SecretId: secretId, ClientRequestToken: token } = context.event;
  const pending = await context.readPending();
  if (pending === undefined) {
    throw new RotationStateError(`secret ${secretId} has no AWSPENDING value for token ${token}; nothing to finish`);
  }
  const from = versionWithStage(context.description, 'AWSCURRENT');
  await context.store.moveStage(secretId, 'AWSCURRENT', token, from);
  await context.store.removeStage(secretId, 'AWSPENDING', token);
  const moved = `moved AWSCURRENT to ${token}${from === undefined ? '' : ` (AWSPREVIOUS now on ${from})`}`;
  return retire(context, context.current, pending, [moved]);
}

/** finishSecret again after AWSCURRENT moved: only the predecessor's retirement tag may be missing. */
export async function finishAgain(context: StepContext): Promise<StepResult> {
  const previous = await context.store.get(context.event.SecretId, { stage: 'AWSPREVIOUS' });
  if (previous === undefined) {
    return { outcome: 'already-done', detail: 'AWSCURRENT is already this version; no previous version to retire', changes: [] };
  }
  const predecessor = parseAtlasSecret(previous.value, `secret:${context.description.arn} (AWSPREVIOUS)`);
  const result = await retire(context, predecessor, context.current, []);
  return { ...result, outcome: result.changes.length > 0 ? result.outcome : 'already-done' };
}

async function retire(
  context: StepContext,
  predecessor: AtlasSecretValue,
  successor: AtlasSecretValue,
  changes: readonly string[],
): Promise<StepResult> {
  const { graceDays } = context.target;
  if (predecessor.kind === 'serviceAccount') {
    return {
      outcome: 'done',
      detail:
        `${predecessor.clientId}: the new secret is current; the sweep deletes the previous one ${graceDays} day(s) after it was ` +
        'rotated out (Atlas ends its life within 7 days in any case)',
      predecessor: { kind: 'serviceAccount', clientId: predecessor.clientId },
      changes,
    };
  }
  if (successor.kind === 'apiKey' && successor.publicKey === predecessor.publicKey) {
    return { outcome: 'done', detail: 'the previous version holds the same key: nothing to retire', changes };
  }
  const retired = await retireApiKeyPredecessor(context, predecessor);
  return { ...retired, outcome: 'done', changes: [...changes, ...retired.changes] };
}
