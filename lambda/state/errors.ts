import { redactAws, sanitizeCause } from './redact-aws.ts';

/** The state operation that failed; `configure` is a bad STATE_TABLE_NAME or factory option. */
export type StateOperation = 'configure' | 'reserve' | 'usage' | 'get-key-states' | 'put-key-states' | 'delete-key-states' | 'ping';

export interface StateErrorOptions {
  readonly operation: StateOperation;
  /** The rejected input field (dotted path) or variable, when the caller's input was invalid. */
  readonly field?: string;
  readonly cause?: unknown;
}

/**
 * Thrown by every state operation that does not succeed: invalid input (with `field`), an unreachable or
 * misconfigured table, throttling the SDK gave up on, a batch DynamoDB kept leaving unprocessed. Carries no
 * credentials: the message is redacted and `cause` is replaced by a redacted copy.
 * A budget reservation that throws has granted nothing: callers must not write.
 */
export class StateError extends Error {
  override readonly name = 'StateError';
  readonly operation: StateOperation;
  readonly field: string | undefined;

  constructor(message: string, options: StateErrorOptions) {
    const cause = sanitizeCause(options.cause);
    super(redactAws(message), cause === undefined ? undefined : { cause });
    this.operation = options.operation;
    this.field = options.field;
    if (this.stack !== undefined) this.stack = redactAws(this.stack);
  }

  toJSON(): Record<string, unknown> {
    return { name: this.name, operation: this.operation, field: this.field, message: this.message };
  }
}
