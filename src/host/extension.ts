import { performance } from 'node:perf_hooks';
import * as vscode from 'vscode';
import { createModelStatusBar } from './modelStatusBar';
import { registerNotebook } from './notebook/registerNotebook';
import { createOutputLog } from './outputLog';
import { registerResults } from './results/registerResults';
import { registerViewer } from './viewer/registerViewer';

type Commands = typeof import('./commands');

/** When this module's code began to run (after its imports), on the host's performance clock. */
const moduleStartedAt = performance.now();

/** What activate() hands to other extensions and to the test suite. */
export interface ScanLensApi {
  /** Milliseconds activate() took; no engine or native module is loaded yet. */
  readonly activationMs: number;
  /** performance.now() marks, so a caller can tell VS Code's share of activation from ours. */
  readonly moduleStartedAt: number;
  readonly activateCalledAt: number;
  readonly activatedAt: number;
}

let commands: Commands | undefined;

/** dist/commands.js, loaded on the first command (kept external by scripts/build.mjs). */
function loadCommands(): Commands {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  commands ??= require('./commands.js') as Commands;
  return commands;
}

export function activate(context: vscode.ExtensionContext): ScanLensApi {
  const started = performance.now();
  const log = createOutputLog(context);
  context.subscriptions.push(
    vscode.commands.registerCommand('scanlens.classify', (...args: unknown[]) => loadCommands().classifyCommand(context, log)(...args)),
    vscode.commands.registerCommand('scanlens.selectModel', (arg?: unknown) => loadCommands().selectModelCommand(context, log)(arg)),
    vscode.commands.registerCommand('scanlens.train', (...args: unknown[]) => loadCommands().trainCommand(context, log)(...args)),
    vscode.commands.registerCommand('scanlens.showVersion', () => {
      const version = String(context.extension.packageJSON.version ?? 'unknown');
      void vscode.window.showInformationMessage(`ScanLens ${version}: a research tool, not a medical device.`);
      return version;
    }),
  );
  registerViewer(context, () => new (loadCommands().ViewerProvider)(context, log));
  registerResults(context, () => ({ panels: new (loadCommands().ResultsPanels)(context, log), open: loadCommands().openResultsCommand(log), restore: loadCommands().restoreResults(log) }));
  createModelStatusBar(context);
  registerNotebook(context, log, loadCommands);
  const activatedAt = performance.now();
  const activationMs = activatedAt - started;
  log.line(`activated in ${activationMs.toFixed(1)} ms`);
  return { activationMs, moduleStartedAt, activateCalledAt: started, activatedAt };
}

/**
 * Frees what the commands module holds: model sessions, the batch decode
 * workers (live threads would keep the host from exiting cleanly) and the
 * anomaly feature sessions. Nothing to do when no command ever ran.
 */
export async function deactivate(): Promise<void> {
  if (!commands) return;
  await Promise.all([commands.releaseModels(), commands.releasePools(), commands.releaseFeatureSessions()]);
}
