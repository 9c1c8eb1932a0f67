import { oneLine } from '../core/errors';
import { terminalText } from '../core/text/escape';

/** Exit codes of every verb: the contract in the README. */
export const EXIT = { ok: 0, usage: 1, someFailed: 2 } as const;

/** A failure that ends the command with exit code 1 and one line on stderr. */
export class CliFailure extends Error {}

export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + '\n');
}

/**
 * One line of text to stdout (or `stream`), its control characters shown as
 * escapes (terminalText): file names, labels and errors are attacker text, and
 * a name holding a newline or ESC would otherwise forge a result line or
 * drive the terminal. Every text line the CLI prints goes through here.
 */
export function printLine(text: string, stream: NodeJS.WritableStream = process.stdout): void {
  stream.write(terminalText(text) + '\n');
}

export function printError(error: unknown): void {
  printLine(`scanlens: ${oneLine(error)}`, process.stderr);
}
