import type { z } from 'zod';
import { COMMAND_NAMES, COMMAND_SPECS, OPTION_SCHEMAS, type CommandName } from './commandSpecs';
import { tokenizeLine, type Token } from './tokenize';

type Options<K extends CommandName> = z.output<(typeof OPTION_SCHEMAS)[K]>;

/** One parsed line: the command, its positional words and its validated options. */
export type ParsedCommand = {
  [K in CommandName]: {
    readonly name: K;
    readonly subcommand?: string;
    readonly args: readonly string[];
    readonly options: Options<K>;
    /** 1-based line number in the cell. */
    readonly line: number;
    /** The line as written, for provenance and messages. */
    readonly text: string;
  };
}[CommandName];

/** A mistake in a cell: where, the line itself, and what was expected. */
export interface ParseProblem {
  readonly line: number;
  readonly text: string;
  readonly message: string;
}

export type ParseResult = { readonly ok: true; readonly commands: ParsedCommand[] } | { readonly ok: false; readonly problems: ParseProblem[] };

/** `line 3: explain x.png method=foo — expected …` */
export function formatProblem(problem: ParseProblem): string {
  return `line ${problem.line}: ${problem.text.trim()} — ${problem.message}`;
}

function isCommand(word: string): word is CommandName {
  return (COMMAND_NAMES as string[]).includes(word);
}

function issueText(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys') return `unknown option${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `'${k}'`).join(', ')}`;
  const key = issue.path[0];
  return key === undefined ? issue.message : `option '${String(key)}': ${issue.message}`;
}

function parseLine(tokens: Token[], line: number, text: string): ParsedCommand {
  const [head, ...rest] = tokens;
  const word = head!.text;
  if (head!.quoted || !isCommand(word)) throw new Error(`unknown command '${word}'; expected one of ${COMMAND_NAMES.join(', ')}`);
  const spec = COMMAND_SPECS[word];
  let subcommand: string | undefined;
  if (spec.subcommands) {
    const next = rest.shift();
    if (!next || !spec.subcommands.includes(next.text)) throw new Error(`expected ${word} ${spec.subcommands.join('|')}`);
    subcommand = next.text;
  }
  const args: string[] = [];
  const raw: Record<string, string> = {};
  for (const token of rest) {
    // key=value only when the key is written unquoted: "a=b.png" stays a path.
    const key = /^([A-Za-z]+)=/.exec(text.slice(token.start))?.[1];
    if (key !== undefined) {
      if (key in raw) throw new Error(`option '${key}' given twice`);
      raw[key] = token.text.slice(key.length + 1);
    } else {
      args.push(token.text);
    }
  }
  const optionNames = Object.keys(spec.options);
  const parsed = spec.schema.safeParse(raw);
  if (!parsed.success) {
    const hint = optionNames.length > 0 ? `; ${word} takes ${optionNames.map((o) => `${o}=`).join(', ')}` : `; ${word} takes no options`;
    throw new Error(parsed.error.issues.map(issueText).join('; ') + (parsed.error.issues.some((i) => i.code === 'unrecognized_keys') ? hint : ''));
  }
  const sub = subcommand !== undefined ? spec.subcommandSpecs?.[subcommand] : undefined;
  if (sub) {
    const foreign = Object.keys(raw).filter((key) => !sub.options.includes(key));
    if (foreign.length > 0) {
      throw new Error(`option${foreign.length > 1 ? 's' : ''} ${foreign.map((k) => `'${k}'`).join(', ')} not for ${word} ${subcommand}; it takes ${sub.options.map((o) => `${o}=`).join(', ')}`);
    }
  }
  const usage = sub ? `${subcommand} ${sub.usage}` : spec.usage;
  if (args.length < (sub?.minArgs ?? spec.minArgs)) throw new Error(`expected ${word} ${usage}`);
  if (args.length > (sub?.maxArgs ?? spec.maxArgs)) throw new Error(`too many arguments; expected ${word} ${usage}`);
  return { name: word, ...(subcommand ? { subcommand } : {}), args, options: parsed.data, line, text } as ParsedCommand;
}

/** Parses a cell: one command a line, blank lines and `#` comments ignored. Every mistake is reported, not just the first. */
export function parseCell(source: string): ParseResult {
  const commands: ParsedCommand[] = [];
  const problems: ParseProblem[] = [];
  source.split(/\r?\n/).forEach((text, index) => {
    const line = index + 1;
    try {
      const tokens = tokenizeLine(text);
      if (tokens.length > 0) commands.push(parseLine(tokens, line, text));
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      problems.push({ line, text, message });
    }
  });
  return problems.length > 0 ? { ok: false, problems } : { ok: true, commands };
}
