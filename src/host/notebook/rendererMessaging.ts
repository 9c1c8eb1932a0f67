import * as vscode from 'vscode';
import { RENDERER_ID } from '../../protocol/rendererId';
import type { ScanImageReply } from '../../protocol/rendererMessages';
import { notebookBaseDir } from './notebookBaseDir';

export type ScanPicture = (message: unknown, baseDir: string, allowedFolders: readonly string[]) => Promise<ScanImageReply | undefined>;

/** Answers the renderer's requests (the scan under an explanation map); the engine loads on the first one. */
export function registerRendererMessaging(context: vscode.ExtensionContext, load: () => ScanPicture): void {
  const messaging = vscode.notebooks.createRendererMessaging(RENDERER_ID);
  context.subscriptions.push(
    messaging.onDidReceiveMessage(async ({ editor, message }) => {
      const folders = (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath);
      const reply = await load()(message, notebookBaseDir(editor.notebook), folders);
      if (reply) await messaging.postMessage(reply, editor);
    }),
  );
}
