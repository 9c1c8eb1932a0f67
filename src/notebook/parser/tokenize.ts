/** One word of a cell line; quoted words keep spaces and `#`, and are never options. */
export interface Token {
  readonly text: string;
  readonly quoted: boolean;
  /** Offset in the line where the word starts. */
  readonly start: number;
}

export class TokenizeError extends Error {}

/**
 * Splits a line into words on whitespace, honouring "double" and 'single'
 * quotes (also inside `key="a value"`), and drops a `#` comment that starts
 * outside quotes.
 */
export function tokenizeLine(line: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < line.length) {
    while (i < line.length && /\s/.test(line[i]!)) i++;
    if (i >= line.length || line[i] === '#') break;
    const start = i;
    let text = '';
    let quoted = false;
    while (i < line.length && !/\s/.test(line[i]!)) {
      const ch = line[i]!;
      if (ch === '"' || ch === "'") {
        const end = line.indexOf(ch, i + 1);
        if (end < 0) throw new TokenizeError(`unterminated ${ch === '"' ? 'double' : 'single'} quote at column ${i + 1}`);
        text += line.slice(i + 1, end);
        quoted = true;
        i = end + 1;
      } else {
        text += ch;
        i++;
      }
    }
    tokens.push({ text, quoted, start });
  }
  return tokens;
}
