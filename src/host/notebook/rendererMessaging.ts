import * as vscode from 'vscode';
import { RENDERER_ID } from '../../protocol/rendererId';
import type { ScanImageReply } from '../../protocol/rendererMessages';
import { notebookBaseDir } from './notebookBaseDir';
import { OPEN_RESULTS_COMMAND } from '../results/registerResults';

export type ScanPicture = (message: unknown, baseDir: string, allowedFolders: readonly string[]) => Promise<ScanImageReply | undefined>;
export type NotebookResults = (message: unknown, storage: string) => Promise<string | undefined>;

/**
 * Answers the renderer's requests (the scan under an explanation map) and
 * opens a classify output in the results view when asked; the engine loads on the first one.
 */
export function registerRendererMessaging(context: vscode.ExtensionContext, load: () => { scanPicture: ScanPicture; notebookResults: NotebookResults }): void {
  const messaging = vscode.notebooks.createRendererMessaging(RENDERER_ID);
  context.subscriptions.push(
    messaging.onDidReceiveMessage(async ({ editor, message }) => {
      const folders = (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath);
      const baseDir = notebookBaseDir(editor.notebook);
      const reply = await load().scanPicture(message, baseDir, folders);
      if (reply) return void (await messaging.postMessage(reply, editor));
      const saved = await load().notebookResults(message, context.globalStorageUri.fsPath);
      // Paths in the output are relative to the notebook's folder.
      if (saved) await vscode.commands.executeCommand(OPEN_RESULTS_COMMAND, vscode.Uri.file(saved), { base: baseDir });
    }),
  );
}
