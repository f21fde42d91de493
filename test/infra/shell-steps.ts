/**
 * Just enough of POSIX shell to read the README's deployment blocks as a list of steps: comments, line
 * continuations, `export NAME=value`, `NAME=$(command)`, `cat > FILE <<'DELIM'` here-documents, single and double
 * quotes, and `$NAME` / `"$NAME"` expansion. Anything else (pipes, `;`, `&&`, backquotes, substitutions inside a
 * word) is rejected, so that the README stays as plain as the test can check. Pure, for tests.
 */

/** A piece of an unexpanded word. */
export type WordPart = { readonly literal: string } | { readonly variable: string };

/** One word of a command line, before variable expansion. */
export type Word = readonly WordPart[];

/** One step of a shell block. */
export type ShellStep =
  | { readonly kind: 'export'; readonly text: string; readonly name: string; readonly value: Word }
  | { readonly kind: 'command'; readonly text: string; readonly words: readonly Word[]; readonly assignTo?: string }
  | { readonly kind: 'heredoc'; readonly text: string; readonly file: string; readonly content: string };

/** The fenced ```sh blocks of the README section that starts with `heading` (up to the next `## ` heading). */
export function shellBlocksOfSection(markdown: string, heading: string): string[] {
  const start = markdown.indexOf(`\n${heading}\n`);
  if (start < 0) throw new Error(`no section "${heading}"`);
  const next = markdown.indexOf('\n## ', start + heading.length + 2);
  const section = markdown.slice(start, next < 0 ? undefined : next);
  return [...section.matchAll(/^```sh\n([\s\S]*?)^```$/gm)].map((match) => match[1] ?? '');
}

/** Parses one block into steps. Throws, quoting the line, on what the reader does not support. */
export function parseShellSteps(block: string): ShellStep[] {
  const lines = block.split('\n');
  const steps: ShellStep[] = [];
  for (let index = 0; index < lines.length; index += 1) {
    let text = lines[index] ?? '';
    while (text.endsWith('\\') && index + 1 < lines.length) {
      index += 1;
      text = `${text.slice(0, -1).trimEnd()} ${(lines[index] ?? '').trim()}`;
    }
    text = text.trim();
    if (text === '' || text.startsWith('#')) continue;

    const heredoc = /^cat > (\S+) <<'(\w+)'$/.exec(text);
    if (heredoc) {
      const [, file = '', delimiter = ''] = heredoc;
      const end = lines.indexOf(delimiter, index + 1);
      if (end < 0) throw new Error(`here-document "${delimiter}" is never closed: ${text}`);
      steps.push({ kind: 'heredoc', text, file, content: lines.slice(index + 1, end).join('\n') });
      index = end;
      continue;
    }
    const exported = /^export ([A-Z_][A-Z0-9_]*)=(\S+)$/.exec(text);
    if (exported) {
      const [, name = '', value = ''] = exported;
      steps.push({ kind: 'export', text, name, value: onlyWord(tokenize(value), text) });
      continue;
    }
    const assignment = /^([A-Z_][A-Z0-9_]*)=\$\((.*)\)$/.exec(text);
    if (assignment) {
      const [, name = '', inner = ''] = assignment;
      steps.push({ kind: 'command', text, words: tokenize(inner), assignTo: name });
      continue;
    }
    steps.push({ kind: 'command', text, words: tokenize(text) });
  }
  return steps;
}

/** Expands a word's variables from `env`; a variable no earlier line defined is an error. */
export function expandWord(word: Word, env: ReadonlyMap<string, string>): string {
  return word
    .map((part) => {
      if ('literal' in part) return part.literal;
      const value = env.get(part.variable);
      if (value === undefined) throw new Error(`$${part.variable} is used before any line defines it`);
      return value;
    })
    .join('');
}

/** The variables a word reads. */
export function variablesOf(word: Word): string[] {
  return word.flatMap((part) => ('variable' in part ? [part.variable] : []));
}

function onlyWord(words: Word[], text: string): Word {
  if (words.length !== 1 || words[0] === undefined) throw new Error(`expected one word: ${text}`);
  return words[0];
}

/** Splits a line into words of literal and variable parts. */
export function tokenize(text: string): Word[] {
  const words: Word[] = [];
  let parts: WordPart[] = [];
  let literal = '';
  let inWord = false;
  const flushLiteral = () => {
    if (literal !== '') parts.push({ literal });
    literal = '';
  };
  const endWord = () => {
    flushLiteral();
    if (inWord) words.push(parts);
    parts = [];
    inWord = false;
  };
  const readVariable = (at: number): number => {
    // `at` is the index after `$`.
    const braced = text[at] === '{';
    const match = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(braced ? at + 1 : at));
    if (!match) throw new Error(`unsupported $ at column ${at}: ${text}`);
    flushLiteral();
    parts.push({ variable: match[0] });
    const end = (braced ? at + 1 : at) + match[0].length;
    if (braced && text[end] !== '}') throw new Error(`unclosed \${ at column ${at}: ${text}`);
    return braced ? end + 1 : end;
  };

  let index = 0;
  while (index < text.length) {
    const char = text[index] ?? '';
    if (/\s/.test(char)) {
      endWord();
      index += 1;
    } else if (char === "'") {
      const close = text.indexOf("'", index + 1);
      if (close < 0) throw new Error(`unclosed ' at column ${index}: ${text}`);
      literal += text.slice(index + 1, close);
      inWord = true;
      index = close + 1;
    } else if (char === '"') {
      inWord = true;
      index += 1;
      while (index < text.length && text[index] !== '"') {
        if (text[index] === '\\' && /["\\$`]/.test(text[index + 1] ?? '')) {
          literal += text[index + 1];
          index += 2;
        } else if (text[index] === '$') {
          if (text[index + 1] === '(') throw new Error(`unsupported $( inside a word: ${text}`);
          index = readVariable(index + 1);
        } else if (text[index] === '`') {
          throw new Error(`unsupported backquote: ${text}`);
        } else {
          literal += text[index];
          index += 1;
        }
      }
      if (index >= text.length) throw new Error(`unclosed " in: ${text}`);
      index += 1;
    } else if (char === '$') {
      if (text[index + 1] === '(') throw new Error(`unsupported $( inside a word: ${text}`);
      inWord = true;
      index = readVariable(index + 1);
    } else if (/[|;&<>`()]/.test(char)) {
      throw new Error(`unsupported shell syntax "${char}" at column ${index}: ${text}`);
    } else if (char === '\\') {
      literal += text[index + 1] ?? '';
      inWord = true;
      index += 2;
    } else {
      literal += char;
      inWord = true;
      index += 1;
    }
  }
  endWord();
  return words;
}
