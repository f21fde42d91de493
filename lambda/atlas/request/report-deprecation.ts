import type { ClientEvent } from '../types.ts';

/** Atlas marks deprecated API versions with `Deprecation` / `Sunset` headers; surface them so someone acts. */
export function reportDeprecation(
  headers: Readonly<Record<string, string | string[] | undefined>>,
  path: string,
  emit: (event: ClientEvent) => void,
): void {
  const first = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);
  const deprecation = first(headers['deprecation']);
  const sunset = first(headers['sunset']);
  if (deprecation === undefined && sunset === undefined) return;
  emit({
    type: 'deprecation',
    path: path.split('?')[0] ?? path,
    ...(deprecation === undefined ? {} : { deprecation }),
    ...(sunset === undefined ? {} : { sunset }),
  });
}
