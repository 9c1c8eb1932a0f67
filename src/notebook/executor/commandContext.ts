import type { NotebookOutput } from '../outputs/notebookOutput';
import type { ParsedCommand } from '../parser/parseCell';
import type { NotebookSession } from './notebookSession';

export interface Progress {
  /** The cell line being run. */
  readonly line: number;
  readonly done: number;
  readonly total: number;
  readonly message: string;
  /** An output to show under the progress line while the command runs (fine-tuning's curves so far); replaced by the next. */
  readonly live?: NotebookOutput;
}

export interface CommandContext<C extends ParsedCommand = ParsedCommand> {
  readonly command: C;
  readonly session: NotebookSession;
  readonly signal: AbortSignal;
  readonly onProgress: (progress: Progress) => void;
}

export type CommandRunner<C extends ParsedCommand = ParsedCommand> = (context: CommandContext<C>) => Promise<NotebookOutput[]>;

export type CommandOf<K extends ParsedCommand['name']> = Extract<ParsedCommand, { name: K }>;
