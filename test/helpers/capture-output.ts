import { vi } from 'vitest';

/** Captures everything written to stdout and stderr (Powertools logs and EMF metrics go there) until `stop`. */
export function captureOutput() {
  const chunks: string[] = [];
  const grab = (chunk: unknown) => {
    chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'));
    return true;
  };
  const out = vi.spyOn(process.stdout, 'write').mockImplementation(grab);
  const err = vi.spyOn(process.stderr, 'write').mockImplementation(grab);
  return {
    text: () => chunks.join(''),
    /** Parsed JSON lines (log records and EMF documents). */
    records: () =>
      chunks
        .join('')
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as Record<string, unknown>),
    stop: () => {
      out.mockRestore();
      err.mockRestore();
    },
  };
}
