import type * as z from 'zod';

/** Thrown when input from outside (a queue message, CLI argument, env var, policy) fails validation. */
export class InputValidationError extends Error {
  override readonly name = 'InputValidationError';
  /** The field (dotted path) or variable that was rejected, e.g. `message.apiUserId` or `KEY_POLICY.orgs.0.orgId`. */
  readonly field: string;

  constructor(field: string, problem: string, options?: ErrorOptions) {
    super(`${field}: ${problem}`, options);
    this.field = field;
  }

  /** One error for a failed zod parse: named after the first bad field, listing up to five problems. */
  static fromZod(source: string, issues: readonly z.core.$ZodIssue[]): InputValidationError {
    const first = issues[0];
    const field = first && first.path.length > 0 ? `${source}.${first.path.map(String).join('.')}` : source;
    const problems = issues.slice(0, 5).map((issue) => {
      const path = issue.path.length > 0 ? issue.path.map(String).join('.') : '(root)';
      return `${path} ${issue.message}`;
    });
    const more = issues.length > 5 ? `; and ${issues.length - 5} more` : '';
    const error = new InputValidationError(source, problems.join('; ') + more);
    return Object.assign(error, { field });
  }
}
