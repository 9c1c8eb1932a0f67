import { stat } from 'node:fs/promises';
import * as vscode from 'vscode';
import { z } from 'zod';
import { classifyBatch, type BatchResult } from './classifyBatch';
import { classifyFile, type FileResult } from './classifyFile';
import { guarded, type CommandFailure } from './commandOutcome';
import type { OutputLog } from './outputLog';

const UriSchema = z.custom<vscode.Uri>((value) => value instanceof vscode.Uri, 'expected a file or folder URI');
/** The explorer passes (clicked, selection); the palette passes nothing. */
const ArgsSchema = z.tuple([UriSchema.optional(), z.array(UriSchema).optional()]).rest(z.unknown());

async function pickTargets(): Promise<vscode.Uri[]> {
  const active = vscode.window.activeTextEditor?.document.uri;
  if (active?.scheme === 'file') return [active];
  const picked = await vscode.window.showOpenDialog({ canSelectFiles: true, canSelectFolders: true, canSelectMany: true, openLabel: 'Classify' });
  return picked ?? [];
}

/** "ScanLens: Classify": one file gets a notification, folders or a selection a report. */
export function classifyCommand(context: vscode.ExtensionContext, log: OutputLog) {
  return (...args: unknown[]): Promise<FileResult | BatchResult | CommandFailure | undefined> =>
    guarded('classify', log, async () => {
      const parsed = ArgsSchema.safeParse(args);
      if (!parsed.success) throw new Error('classify expects a file or folder from the Explorer');
      const [clicked, selection] = parsed.data;
      const targets = selection && selection.length > 1 ? selection : clicked ? [clicked] : await pickTargets();
      if (targets.length === 0) return undefined;
      const single = targets.length === 1 ? targets[0]! : undefined;
      if (single && !(await stat(single.fsPath).catch(() => undefined))?.isDirectory()) return classifyFile(context, log, single);
      return classifyBatch(context, log, targets);
    });
}
