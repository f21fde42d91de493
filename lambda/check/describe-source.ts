/** Where credentials came from, as a fix sentence names it: `secret:<id>` → `secret <id>`. */
export function describeSource(source: string): string {
  if (source.startsWith('secret:')) return `secret ${source.slice('secret:'.length)}`;
  if (source === 'env') return 'the MONGODB_ATLAS_* environment variables';
  return source;
}
