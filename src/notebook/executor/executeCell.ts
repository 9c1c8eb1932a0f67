import { performance } from 'node:perf_hooks';
import { oneLine } from '../../core/errors';
import { errorOutput, type NotebookOutput } from '../outputs/notebookOutput';
import { formatProblem, parseCell, type ParsedCommand } from '../parser/parseCell';
import type { CommandContext, CommandRunner, Progress } from './commandContext';
import { anomalyCommand } from './commands/anomalyCommand';
import { classifyCommand } from './commands/classifyCommand';
import { evaluateCommand } from './commands/evaluateCommand';
import { explainCommand } from './commands/explainCommand';
import { exportCommand } from './commands/exportCommand';
import { infoCommand } from './commands/infoCommand';
import { modelCommand } from './commands/modelCommand';
import { preprocessCommand } from './commands/preprocessCommand';
import { trainCommand } from './commands/trainCommand';
import { volumeCommand } from './commands/volumeCommand';
import type { NotebookSession } from './notebookSession';
import { relativeMessage } from './resolveInputs';

const RUNNERS: { [K in ParsedCommand['name']]: CommandRunner<Extract<ParsedCommand, { name: K }>> } = {
  model: modelCommand,
  classify: classifyCommand,
  explain: explainCommand,
  preprocess: preprocessCommand,
  info: infoCommand,
  volume: volumeCommand,
  evaluate: evaluateCommand,
  export: exportCommand,
  anomaly: anomalyCommand,
  train: trainCommand,
};

export interface CellRun {
  readonly outputs: NotebookOutput[];
  /** False when the cell had a mistake, a command failed, or it was cancelled. */
  readonly ok: boolean;
  readonly cancelled: boolean;
  /** Wall time in ms: for display and metadata only, never compared. */
  readonly durationMs: number;
}

export interface ExecuteOptions {
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: Progress) => void;
}

function runOne(context: CommandContext): Promise<NotebookOutput[]> {
  const runner = RUNNERS[context.command.name] as CommandRunner;
  return runner(context);
}

/**
 * Runs one cell: parse everything first (so a typo on line 5 runs nothing),
 * then each line in order. The first failing line ends the cell with an error
 * output after the outputs of the lines before it; cancellation stops between
 * lines and inside batched commands.
 */
export async function executeCell(session: NotebookSession, source: string, options: ExecuteOptions = {}): Promise<CellRun> {
  const started = performance.now();
  const signal = options.signal ?? new AbortController().signal;
  const onProgress = options.onProgress ?? (() => undefined);
  const finish = (outputs: NotebookOutput[], ok: boolean, cancelled = false): CellRun => ({ outputs, ok, cancelled, durationMs: Math.round(performance.now() - started) });
  const parsed = parseCell(source);
  if (!parsed.ok) return finish([errorOutput(parsed.problems.map(formatProblem).join('\n'), 'SyntaxError')], false);
  const outputs: NotebookOutput[] = [];
  for (const command of parsed.commands) {
    if (signal.aborted) return finish([...outputs, errorOutput(`cancelled before line ${command.line}`, 'Cancelled')], false, true);
    try {
      outputs.push(...(await runOne({ command, session, signal, onProgress })));
    } catch (error) {
      const message = relativeMessage(session.baseDir, oneLine(error));
      return finish([...outputs, errorOutput(`line ${command.line}: ${command.text.trim()} — ${message}`)], false);
    }
    if (signal.aborted) return finish([...outputs, errorOutput(`cancelled during line ${command.line}; results so far are shown`, 'Cancelled')], false, true);
  }
  return finish(outputs, true);
}
