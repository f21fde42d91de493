/** Thrown for a command whose work did not end as intended, so that its queue message is retried (then DLQ'd). */
export class CommandFailedError extends Error {
  override readonly name = 'CommandFailedError';
}
