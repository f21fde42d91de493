/**
 * Parses the `schedule` context value into EventBridge schedule expressions. Several are separated by `;`
 * (cron expressions contain spaces and commas); `none` means no schedule. Pure, for unit tests.
 *
 * @example scheduleExpressionsFromContext('cron(0 3 * * ? *); rate(6 hours)')
 */
export function scheduleExpressionsFromContext(value: unknown, key = 'schedule'): string[] {
  if (typeof value !== 'string') {
    throw new Error(`context "${key}" must be a string of schedule expressions (given ${JSON.stringify(value)})`);
  }
  if (value.trim() === 'none') return [];
  const expressions = value
    .split(';')
    .map((part) => part.trim())
    .filter((part) => part.length > 0);
  if (expressions.length === 0) {
    throw new Error(`context "${key}" must hold at least one schedule expression, or "none" (given "${value}")`);
  }
  for (const expression of expressions) {
    if (!/^(cron\(\S+( \S+){5}\)|rate\(\d+ (minute|minutes|hour|hours|day|days)\))$/.test(expression)) {
      throw new Error(
        `context "${key}" must be cron(…) with six fields or rate(N unit), separated by ";" (given "${expression}")`,
      );
    }
  }
  return expressions;
}
