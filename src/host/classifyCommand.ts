import { stat } from 'node:fs/promises';
import * as vscode from 'vscode';
import { z } from 'zod';
import { seriesFolder, volumeFile } from '../core/scan/findVolume';
import { DEFAULT_LIMITS } from '../core/scan/limits';
import { classifyBatch, type BatchResult } from './classifyBatch';
import { classifyFile, type FileResult } from './classifyFile';
import { classifyVolumeFile, type VolumeResult } from './classifyVolumeFile';
import { guarded, type CommandFailure } from './commandOutcome';
import type { OutputLog } from './outputLog';
import { OPEN_RESULTS_COMMAND } from './results/registerResults';

const UriSchema = z.custom<vscode.Uri>((value) => value instanceof vscode.Uri, 'expected a file or folder URI');
/** The explorer passes (clicked, selection); the palette passes nothing. */
const ArgsSchema = z.tuple([UriSchema.optional(), z.array(UriSchema).optional()]).rest(z.unknown());

async function pickTargets(): Promise<vscode.Uri[]> {
  const active = vscode.window.activeTextEditor?.document.uri;
  if (active?.scheme === 'file') return [active];
  const picked = await vscode.window.showOpenDialog({ canSelectFiles: true, canSelectFolders: true, canSelectMany: true, openLabel: 'Classify' });
  return picked ?? [];
}

/**
 * Opens the batch's result in the results view. Its paths are relative to the
 * workspace folder (as classifyBatch writes them); one folder classified is
 * where the audit looks for class sub-folders or labels.csv.
 */
function withResultsView(result: BatchResult, targets: readonly vscode.Uri[]): BatchResult {
  const first = targets[0]!;
  const base = vscode.workspace.getWorkspaceFolder(first)?.uri.fsPath ?? first.fsPath;
  const folder = targets.length === 1 ? first.fsPath : undefined;
  void vscode.commands.executeCommand(OPEN_RESULTS_COMMAND, vscode.Uri.file(result.json), { base, ...(folder ? { folder } : {}) });
  return result;
}

/**
 * "ScanLens: Classify": one file gets a notification, one volume (a multi-slice
 * file or a folder that is one DICOM series) its peak slices, folders or a selection a report.
 */
export function classifyCommand(context: vscode.ExtensionContext, log: OutputLog) {
  return (...args: unknown[]): Promise<FileResult | VolumeResult | BatchResult | CommandFailure | undefined> =>
    guarded('classify', log, async () => {
      const parsed = ArgsSchema.safeParse(args);
      if (!parsed.success) throw new Error('classify expects a file or folder from the Explorer');
      const [clicked, selection] = parsed.data;
      const targets = selection && selection.length > 1 ? selection : clicked ? [clicked] : await pickTargets();
      if (targets.length === 0) return undefined;
      const single = targets.length === 1 ? targets[0]! : undefined;
      if (!single) return withResultsView(await classifyBatch(context, log, targets), targets);
      const isFolder = (await stat(single.fsPath).catch(() => undefined))?.isDirectory() ?? false;
      const volume = isFolder ? await seriesFolder(single.fsPath, DEFAULT_LIMITS) : await volumeFile(single.fsPath, DEFAULT_LIMITS);
      if (volume) return classifyVolumeFile(context, log, single, volume);
      return isFolder ? withResultsView(await classifyBatch(context, log, targets), targets) : classifyFile(context, log, single);
    });
}
