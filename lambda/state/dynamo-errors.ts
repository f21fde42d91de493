import { type StateOperation, StateError } from './errors.ts';

/** Wraps an SDK failure in a StateError that says which operation on which table failed (redacted cause). */
export function dynamoFailure(operation: StateOperation, tableName: string, error: unknown): StateError {
  if (error instanceof StateError) return error;
  const name = error instanceof Error ? error.name : 'Error';
  const message = error instanceof Error ? error.message : String(error);
  return new StateError(`${operation} on DynamoDB table "${tableName}" failed: ${name}: ${message}`, { operation, cause: error });
}

export function isConditionalCheckFailed(error: unknown): error is Error & { Item?: Record<string, unknown> } {
  return error instanceof Error && error.name === 'ConditionalCheckFailedException';
}
