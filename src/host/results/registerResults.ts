import * as vscode from 'vscode';
import type { WebviewRequest, WebviewResult } from '../../protocol/resultsMessages';
import type { ResultsPanels } from './resultsPanels';

export const OPEN_RESULTS_COMMAND = 'scanlens.openResults';
export const RESULTS_VIEW_TYPE = 'scanlens.results';
/** The command the real-host tests use to read (and drive) an open results view through the protocol. */
export const RESULTS_QUERY_COMMAND = 'scanlens.results.query';

type OpenResults = (panels: ResultsPanels, args: readonly unknown[]) => Promise<unknown>;
/** Opens a view VS Code brings back after a reload, from the state its page kept. */
type RestoreResults = (panels: ResultsPanels, panel: vscode.WebviewPanel, state: unknown) => Promise<void>;
interface Loaded {
  readonly panels: ResultsPanels;
  readonly open: OpenResults;
  readonly restore: RestoreResults;
}

/**
 * Registers "ScanLens: Open Results…" without loading the engine: the panels
 * and the command's body come from `load` on first use (types only here, so
 * extension.js stays a small shell).
 */
export function registerResults(context: vscode.ExtensionContext, load: () => Loaded): void {
  let loaded: Loaded | undefined;
  const get = () => (loaded ??= load());
  context.subscriptions.push(
    vscode.window.registerWebviewPanelSerializer(RESULTS_VIEW_TYPE, { deserializeWebviewPanel: (panel, state: unknown) => get().restore(get().panels, panel, state) }),
    vscode.commands.registerCommand(OPEN_RESULTS_COMMAND, (...args: unknown[]) => get().open(get().panels, args)),
    vscode.commands.registerCommand(RESULTS_QUERY_COMMAND, (path: string | undefined, request: WebviewRequest = { type: 'state' }): Promise<WebviewResult<WebviewRequest['type']>> =>
      get().panels.query(path, request),
    ),
  );
}
