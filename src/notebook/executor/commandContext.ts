import type { NotebookOutput } from '../outputs/notebookOutput';
import type { ParsedCommand } from '../parser/parseCell';
import type { NotebookSession } from './notebookSession';

export interface Progress {
  /** The cell line being run. */
  readonly line: number;
  readonly done: number;
  readonly total: number;
  readonly message: string;
}

export interface CommandContext<C extends ParsedCommand = ParsedCommand> {
  readonly command: C;
  readonly session: NotebookSession;
  readonly signal: AbortSignal;
  readonly onProgress: (progress: Progress) => void;
}

export type CommandRunner<C extends ParsedCommand = ParsedCommand> = (context: CommandContext<C>) => Promise<NotebookOutput[]>;

export type CommandOf<K extends ParsedCommand['name']> = Extract<ParsedCommand, { name: K }>;
