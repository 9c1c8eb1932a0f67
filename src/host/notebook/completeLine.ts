import type { CompletionData } from '../../notebook/parser/completions';

export type CompletionKind = 'command' | 'subcommand' | 'option' | 'value' | 'path';

export interface LineCompletion {
  readonly label: string;
  readonly kind: CompletionKind;
  readonly detail?: string;
  readonly documentation?: string;
}

/** What to complete at the cursor: items ready to show, plus a path prefix when the word may be a file. */
export interface LineCompletions {
  /** Start of the word being completed (items replace line[start..cursor]). */
  readonly start: number;
  readonly items: readonly LineCompletion[];
  /** Set when a path may be typed here: the word so far (relative to the notebook, or absolute). */
  readonly pathPrefix?: string;
}

/**
 * Words before the cursor as the cell tokenizer splits them: on blanks outside
 * "double" or 'single' quotes; a `#` starting a word begins a comment.
 * `start` is where the last word begins.
 */
function wordsBefore(text: string): { readonly words: string[]; readonly start: number; readonly comment: boolean } {
  const words: string[] = [];
  let word = '';
  let start = 0;
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote === undefined && word === '' && c === '#') return { words, start, comment: true };
    if (c === quote) quote = undefined;
    else if (quote === undefined && (c === '"' || c === "'")) quote = c;
    if (quote === undefined && /\s/.test(c)) {
      if (word !== '') words.push(word);
      word = '';
      start = i + 1;
    } else {
      word += c;
    }
  }
  words.push(word);
  return { words, start, comment: false };
}

/**
 * Completions for one `scanlens` cell line from the parser's own specs:
 * command names first, then a subcommand, then `option=` names, option values
 * after `=`, and a path wherever the command takes files. Comments get none.
 */
export function completeLine(data: CompletionData, line: string, cursor: number): LineCompletions {
  const { words, start, comment } = wordsBefore(line.slice(0, cursor));
  if (comment) return { start: cursor, items: [] };
  const word = words[words.length - 1] ?? '';
  if (words.length === 1) {
    const items = data.commands.map((c) => ({ label: c.name, kind: 'command' as const, detail: c.usage, documentation: c.description }));
    return { start, items };
  }
  const spec = data.commands.find((c) => c.name === words[0]);
  if (!spec) return { start, items: [] };
  if (words.length === 2 && spec.subcommands.length > 0) {
    return { start, items: spec.subcommands.map((s) => ({ label: s, kind: 'subcommand' as const, detail: spec.usage })) };
  }
  const equals = word.indexOf('=');
  if (equals > 0) {
    const option = spec.options.find((o) => o.name === word.slice(0, equals));
    const items = (option?.values ?? []).map((v) => ({ label: v, kind: 'value' as const, detail: option?.description ?? '' }));
    return { start: start + equals + 1, items };
  }
  const used = new Set(words.slice(1, -1).map((w) => w.split('=')[0]));
  // A subcommand that takes only some of the command's options offers only those.
  const allowed = spec.subcommandOptions?.[words[1] ?? ''];
  const items = spec.options.filter((o) => !used.has(o.name) && (!allowed || allowed.includes(o.name))).map((o) => ({ label: `${o.name}=`, kind: 'option' as const, detail: o.description }));
  if (!spec.pathArgs) return { start, items };
  // A quoted word is always a path, never an option; completion goes on inside the quote.
  const quoted = /^["']/.test(word);
  return quoted ? { start: start + 1, items: [], pathPrefix: word.slice(1) } : { start, items, pathPrefix: word };
}
