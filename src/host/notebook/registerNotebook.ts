import * as vscode from 'vscode';
import type { OutputLog } from '../outputLog';
import type { CellCompletions } from './completionProvider';
import { registerCompletionProvider } from './completionProvider';
import { newNotebookCommand } from './newNotebook';
import { createNotebookController } from './notebookController';
import type { NotebookKernel } from './notebookKernel';
import { registerRendererMessaging, type NotebookResults, type ScanPicture } from './rendererMessaging';

/** The engine-side parts, from dist/commands.js (required on first use). */
export interface NotebookEngine {
  readonly NotebookKernel: typeof NotebookKernel;
  readonly cellCompletions: CellCompletions;
  readonly scanPicture: ScanPicture;
  readonly notebookResults: NotebookResults;
}

/** Kernel, cell completion, the renderer's host end and the new-notebook command; cheap until first used. */
export function registerNotebook(context: vscode.ExtensionContext, log: OutputLog, load: () => NotebookEngine): void {
  createNotebookController(context, () => new (load().NotebookKernel)(context, log));
  registerCompletionProvider(context, () => load().cellCompletions);
  registerRendererMessaging(context, load);
  context.subscriptions.push(vscode.commands.registerCommand('scanlens.newNotebook', newNotebookCommand(context)));
}
