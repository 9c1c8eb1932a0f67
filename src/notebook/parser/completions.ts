import { COMMAND_NAMES, COMMAND_SPECS } from './commandSpecs';

/** Everything an editor needs to complete a `scanlens` cell line, derived from the same specs the parser checks. */
export interface CompletionData {
  readonly commands: readonly {
    readonly name: string;
    readonly description: string;
    readonly usage: string;
    readonly subcommands: readonly string[];
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
        pathArgs: spec.pathArgs,
        options: Object.entries(spec.options).map(([option, o]) => ({ name: option, description: o.description, values: o.values ?? [] })),
      };
    }),
  };
}
