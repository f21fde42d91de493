import { vi } from 'vitest';

type Sink = (text: string) => void;
const sinks = new Set<Sink>();
let restore: (() => void) | undefined;

/**
 * Like `captureOutput` (test/helpers), but captures may overlap: an invocation left hanging (a crashed
 * container) keeps its capture open while the next one runs. stdout and stderr are taken over while at least
 * one capture is open, and every open capture receives everything written meanwhile.
 */
export function captureShared() {
  const chunks: string[] = [];
  const sink: Sink = (text) => chunks.push(text);
  if (sinks.size === 0) {
    const grab = (chunk: unknown) => {
      const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8');
      for (const each of sinks) each(text);
      return true;
    };
    const out = vi.spyOn(process.stdout, 'write').mockImplementation(grab);
    const err = vi.spyOn(process.stderr, 'write').mockImplementation(grab);
    restore = () => {
      out.mockRestore();
      err.mockRestore();
    };
  }
  sinks.add(sink);
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
      if (!sinks.delete(sink)) return;
      if (sinks.size === 0) {
        restore?.();
        restore = undefined;
      }
    },
  };
}
