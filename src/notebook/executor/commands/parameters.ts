import type { ParsedCommand } from '../../parser/parseCell';

/** A command's parameters as provenance records them: the words as written and the validated options. */
export function parametersOf(command: ParsedCommand): Record<string, unknown> {
  return { ...(command.subcommand ? { subcommand: command.subcommand } : {}), args: [...command.args], options: { ...command.options } };
}
