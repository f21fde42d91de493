/**
 * The paths at which two synthesized templates differ, e.g. `Resources.WorkerFunctionAF8A26AF.Properties.
 * Environment.Variables.KEY_POLICY`. Arrays are compared element by element; a key present on one side only is
 * a difference at that key. Pure, for template-level assertions such as "going live changes nothing else".
 */
export function templateDiff(before: unknown, after: unknown, path = ''): string[] {
  if (Object.is(before, after)) return [];
  const bothObjects =
    typeof before === 'object' && before !== null && typeof after === 'object' && after !== null;
  if (!bothObjects || Array.isArray(before) !== Array.isArray(after)) return [path];
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...keys].flatMap((key) =>
    templateDiff(
      (before as Record<string, unknown>)[key],
      (after as Record<string, unknown>)[key],
      path === '' ? key : `${path}.${key}`,
    ),
  );
}
