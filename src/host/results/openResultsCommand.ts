import { join } from 'node:path';
import * as vscode from 'vscode';
import { z } from 'zod';
import { REPORT_FOLDER } from '../classifyBatch';
import { guarded, type CommandFailure } from '../commandOutcome';
import type { OutputLog } from '../outputLog';
import type { ResultsPanels } from './resultsPanels';
import { SavedResultsStateSchema } from '../../protocol/resultsMessages';

const UriSchema = z.custom<vscode.Uri>((value) => value instanceof vscode.Uri, 'expected a file URI');
/**
 * The explorer passes (clicked, selection); a folder classification passes the
 * result with where its paths are relative to and the folder it classified; a
 * notebook's command link passes a path. The palette passes nothing.
 */
const ArgsSchema = z
  .tuple([z.union([UriSchema, z.string().min(1)]).optional(), z.union([z.array(UriSchema), z.object({ base: z.string().optional(), folder: z.string().optional() })]).optional()])
  .rest(z.unknown());

/** A result JSON to open, asked for in a dialog that starts in the workspace's scanlens-results/. */
async function pickResult(): Promise<vscode.Uri | undefined> {
  const folder = vscode.workspace.workspaceFolders?.[0];
  const picked = await vscode.window.showOpenDialog({
    canSelectMany: false,
    filters: { 'Classify results': ['json'] },
    openLabel: 'Open Results',
    ...(folder ? { defaultUri: vscode.Uri.file(join(folder.uri.fsPath, REPORT_FOLDER)) } : {}),
  });
  return picked?.[0];
}

/** "ScanLens: Open Results…": a saved classify result (JSON) in the results view. */
export function openResultsCommand(log: OutputLog) {
  return (panels: ResultsPanels, args: readonly unknown[]): Promise<{ entries: number; audit: boolean } | CommandFailure | undefined> =>
    guarded('open results', log, async () => {
      const parsed = ArgsSchema.safeParse(args);
      if (!parsed.success) throw new Error('Open Results expects a classify result (.json) file');
      const [given, extra] = parsed.data;
      const target = typeof given === 'string' ? vscode.Uri.file(given) : (given ?? (await pickResult()));
      if (!target) return undefined;
      const options = extra && !Array.isArray(extra) ? extra : {};
      return panels.show(target.fsPath, options);
    });
}

/**
 * A results view VS Code brings back after a reload: opened again from the
 * state its page kept. A state that does not validate, or a result that is
 * gone, closes the panel with one line saying why.
 */
export function restoreResults(log: OutputLog) {
  return async (panels: ResultsPanels, panel: vscode.WebviewPanel, state: unknown): Promise<void> => {
    const saved = SavedResultsStateSchema.safeParse(state);
    const outcome = saved.success
      ? await guarded('restore results', log, () => panels.show(saved.data.reopen.path, saved.data.reopen, panel))
      : { error: 'a results view from an older ScanLens could not be restored' };
    if ('error' in outcome) {
      if (!saved.success) log.line(`results: ${outcome.error}`);
      panel.dispose();
    }
  };
}
