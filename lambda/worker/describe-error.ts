/**
 * A loggable, credential-free view of an error. The Atlas client's errors redact themselves in `toJSON`;
 * anything else is reduced to its name and message.
 */
export function describeError(error: unknown): { summary: string; details: Record<string, unknown> } {
  if (error instanceof Error) {
    const json = (error as { toJSON?: () => unknown }).toJSON?.();
    const details = json && typeof json === 'object' ? (json as Record<string, unknown>) : { name: error.name };
    return { summary: `${error.name}: ${error.message}`, details: { name: error.name, message: error.message, ...details } };
  }
  return { summary: String(error), details: { message: String(error) } };
}

/** The HTTP status an error carries, if any (the Atlas client's `AtlasApiError.status`). */
export function statusOf(error: unknown): number | undefined {
  const status = (error as { status?: unknown } | null)?.status;
  return typeof status === 'number' ? status : undefined;
}
