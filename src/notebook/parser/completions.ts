import { COMMAND_NAMES, COMMAND_SPECS } from './commandSpecs';

/** Everything an editor needs to complete a `scanlens` cell line, derived from the same specs the parser checks. */
export interface CompletionData {
  readonly commands: readonly {
    readonly name: string;
    readonly description: string;
    readonly usage: string;
    readonly subcommands: readonly string[];
    /** Per subcommand, the option names it takes (absent: every option of the command). */
    readonly subcommandOptions?: Readonly<Record<string, readonly string[]>>;
    readonly pathArgs: boolean;
    readonly options: readonly { readonly name: string; readonly description: string; readonly values: readonly string[] }[];
  }[];
}

export function completionData(): CompletionData {
  return {
    commands: COMMAND_NAMES.map((name) => {
      const spec = COMMAND_SPECS[name];
      return {
        name,
        description: spec.description,
        usage: spec.usage,
        subcommands: spec.subcommands ?? [],
        ...(spec.subcommandSpecs ? { subcommandOptions: Object.fromEntries(Object.entries(spec.subcommandSpecs).map(([sub, s]) => [sub, [...s.options]])) } : {}),
        pathArgs: spec.pathArgs,
        options: Object.entries(spec.options).map(([option, o]) => ({ name: option, description: o.description, values: o.values ?? [] })),
      };
    }),
  };
}
