import { oneLine } from '../core/errors';

/** Exit codes of every verb: the contract in the README. */
export const EXIT = { ok: 0, usage: 1, someFailed: 2 } as const;

/** A failure that ends the command with exit code 1 and one line on stderr. */
export class CliFailure extends Error {}

export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + '\n');
}

export function printError(error: unknown): void {
  process.stderr.write(`scanlens: ${oneLine(error)}\n`);
}
