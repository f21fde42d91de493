/** One challenge from a `WWW-Authenticate` header: its scheme (lower-cased) and auth-params (names lower-cased). */
export interface Challenge {
  readonly scheme: string;
  readonly params: Readonly<Record<string, string>>;
}

const TOKEN = /[!#$%&'*+\-.^_`|~0-9A-Za-z]/;
const TOKEN68 = /^[A-Za-z0-9\-._~+/]+=*\s*(,|$)/;

/**
 * Parses every challenge in one or more `WWW-Authenticate` values (RFC 9110 §11.6.1): quoted strings may hold
 * commas and backslash escapes, and several challenges may share one header line.
 */
export function parseChallenges(header: string | readonly string[] | undefined): Challenge[] {
  if (header === undefined) return [];
  const text = typeof header === 'string' ? header : header.join(', ');
  const challenges: { scheme: string; params: Record<string, string> }[] = [];
  let index = 0;

  const skip = (chars: string) => {
    while (index < text.length && chars.includes(text[index]!)) index += 1;
  };
  const readToken = () => {
    const start = index;
    while (index < text.length && TOKEN.test(text[index]!)) index += 1;
    return text.slice(start, index);
  };
  const readQuoted = () => {
    index += 1; // opening quote
    let value = '';
    while (index < text.length && text[index] !== '"') {
      if (text[index] === '\\' && index + 1 < text.length) index += 1;
      value += text[index];
      index += 1;
    }
    index += 1; // closing quote
    return value;
  };

  while (index < text.length) {
    skip(' \t,');
    if (index >= text.length) break;
    const token = readToken();
    if (token === '') {
      index += 1; // not a token character: skip it rather than loop forever
      continue;
    }
    skip(' \t');
    const current = challenges.at(-1);
    if (text[index] === '=' && current !== undefined && text[index + 1] !== '=') {
      index += 1;
      skip(' \t');
      const value = text[index] === '"' ? readQuoted() : readToken();
      current.params[token.toLowerCase()] = value;
    } else {
      challenges.push({ scheme: token.toLowerCase(), params: {} });
      // A token68 form (e.g. `Negotiate abc==`) carries no params we use: skip it.
      const rest = text.slice(index);
      if (TOKEN68.test(rest)) index += rest.indexOf(',') === -1 ? rest.length : rest.indexOf(',');
    }
  }
  return challenges;
}

/** The Digest challenge, if the server sent one. */
export function findDigestChallenge(header: string | readonly string[] | undefined): Challenge | undefined {
  return parseChallenges(header).find((challenge) => challenge.scheme === 'digest');
}
