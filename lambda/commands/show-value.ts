/** At most this many characters of any input value appear in an error message. */
export const SHOWN_VALUE_LIMIT = 64;

/**
 * A bad value as it may appear in an error message: JSON-like, on one line, at most `SHOWN_VALUE_LIMIT`
 * characters (then `…`). Everything outside printable ASCII is escaped as `\uXXXX`, so look-alikes (Cyrillic
 * `а`, fullwidth digits), bidi controls and line breaks are visible and cannot forge log lines.
 */
export function showValue(value: unknown): string {
  if (typeof value === 'string') return `"${escapeAndTruncate(value, SHOWN_VALUE_LIMIT - 2, true)}"`;
  if (value === undefined) return 'undefined';
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch {
    text = undefined;
  }
  if (text === undefined) return Array.isArray(value) ? 'an array' : `a value of type ${typeof value}`;
  return escapeAndTruncate(text, SHOWN_VALUE_LIMIT, false);
}

function escapeAndTruncate(text: string, limit: number, quoteEscapes: boolean): string {
  let out = '';
  for (const char of text) {
    let piece: string;
    if (quoteEscapes && (char === '"' || char === '\\')) piece = `\\${char}`;
    else if (/^[\x20-\x7E]$/.test(char)) piece = char;
    else piece = escapeUnits(char);
    if (out.length + piece.length > limit) return `${out}…`;
    out += piece;
  }
  return out;
}

/** `\uXXXX` per UTF-16 code unit (two for a character outside the BMP). */
function escapeUnits(char: string): string {
  let out = '';
  for (let index = 0; index < char.length; index += 1) {
    out += `\\u${char.charCodeAt(index).toString(16).padStart(4, '0')}`;
  }
  return out;
}
