export interface RateLimitHeaders {
  readonly limit?: number;
  readonly remaining?: number;
}

/** Leading integer of a header value; tolerates the IETF draft's `10, 10;w=60` list form. */
function leadingInteger(value: string | readonly string[] | undefined): number | undefined {
  const text = typeof value === 'string' ? value : value?.[0];
  const match = text === undefined ? null : /^\s*(\d+)/.exec(text);
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

export function parseRateLimitHeaders(headers: Readonly<Record<string, string | string[] | undefined>>): RateLimitHeaders {
  const limit = leadingInteger(headers['ratelimit-limit']);
  const remaining = leadingInteger(headers['ratelimit-remaining']);
  return { ...(limit === undefined ? {} : { limit }), ...(remaining === undefined ? {} : { remaining }) };
}
