/**
 * A command the worker refuses before any write: out of the policy's scope, or explicit commands switched off.
 * The message starts with the field to fix. Thrown by `runCommand`; the runtime fails the message (DLQ after
 * the redrive count), the CLI exits 2.
 */
export class CommandRejectedError extends Error {
  override readonly name = 'CommandRejectedError';

  constructor(
    /** The command field at fault, e.g. `orgId`, `groupId`. */
    readonly field: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${field}: ${message}`, options);
  }
}
