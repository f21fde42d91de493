import { describe, expect, it } from 'vitest';
import { expandWord, parseShellSteps, shellBlocksOfSection, tokenize } from './shell-steps.ts';

describe('shellBlocksOfSection', () => {
  it('returns the sh blocks of one section only', () => {
    const markdown = '# t\n\n## A\n\n```sh\na 1\n```\n\n```json\n{}\n```\n\n## B\n\n```sh\nb\n```\n';
    expect(shellBlocksOfSection(markdown, '## A')).toEqual(['a 1\n']);
  });
});

describe('parseShellSteps', () => {
  it('joins continuations, skips comments, reads exports, assignments and here-documents', () => {
    const steps = parseShellSteps(
      [
        '# comment',
        'export AWS_REGION=eu-west-1',
        'ARN=$(aws x --name "n" \\',
        "  --query 'A B')",
        "cat > p.json <<'END'",
        '{"a": 1}',
        'END',
        'run -c k="$ARN"',
      ].join('\n'),
    );
    expect(steps.map((step) => step.kind)).toEqual(['export', 'command', 'heredoc', 'command']);
    expect(steps[1]).toMatchObject({ assignTo: 'ARN', text: "ARN=$(aws x --name \"n\" --query 'A B')" });
    expect(steps[2]).toMatchObject({ file: 'p.json', content: '{"a": 1}' });
    const env = new Map([['ARN', 'arn:x']]);
    const last = steps[3];
    expect(last?.kind === 'command' && last.words.map((word) => expandWord(word, env))).toEqual(['run', '-c', 'k=arn:x']);
  });

  it('fails on an unclosed here-document', () => {
    expect(() => parseShellSteps("cat > p <<'END'\nx")).toThrow('here-document "END" is never closed');
  });
});

describe('tokenize', () => {
  it('keeps single quotes literal and expands variables outside them', () => {
    const env = new Map([['A', '1']]);
    expect(tokenize(`x '$A' "$A-b" \${A}c`).map((word) => expandWord(word, env))).toEqual(['x', '$A', '1-b', '1c']);
  });

  it('rejects pipes, chains, backquotes and substitutions inside a word', () => {
    for (const text of ['a | b', 'a && b', 'a; b', 'echo `id`', 'echo "$(id)"', 'echo x$(id)']) {
      expect(() => tokenize(text), text).toThrow(/unsupported/);
    }
  });

  it('fails on a variable no line defined', () => {
    expect(() => expandWord(tokenize('$NOPE')[0]!, new Map())).toThrow('$NOPE is used before any line defines it');
  });
});
