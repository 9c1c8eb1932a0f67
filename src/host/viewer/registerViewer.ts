import * as vscode from 'vscode';
import type { WebviewRequest, WebviewResult } from '../../protocol/viewerMessages';
import type { ViewerDocument } from './viewerDocument';
import type { ViewerProvider } from './viewerProvider';

/** The command the real-host tests use to read (and drive) an open viewer through the protocol. */
export const VIEWER_TYPES = ['scanlens.viewer', 'scanlens.viewer.image'] as const;

export const VIEWER_QUERY_COMMAND = 'scanlens.viewer.query';

/**
 * Registers the custom editor without loading the engine: the provider (and
 * zod, the decoders, onnxruntime) comes from `load` when a scan is first opened.
 * Types only are imported here, so extension.js stays a small shell.
 */
export function registerViewer(context: vscode.ExtensionContext, load: () => ViewerProvider): void {
  let provider: ViewerProvider | undefined;
  const get = (): ViewerProvider => (provider ??= load());
  const forwarding: vscode.CustomReadonlyEditorProvider<ViewerDocument> = {
    openCustomDocument: (uri) => get().openCustomDocument(uri),
    resolveCustomEditor: (document, panel) => get().resolveCustomEditor(document, panel),
  };
  context.subscriptions.push(
    // VS Code keys custom editors by view type with one priority each: the viewer is the default for
    // DICOM/NIfTI names, and under a second type an "Open With" option for images and extensionless DICOM.
    ...VIEWER_TYPES.map((type) => vscode.window.registerCustomEditorProvider(type, forwarding, { supportsMultipleEditorsPerDocument: true })),
    vscode.commands.registerCommand(VIEWER_QUERY_COMMAND, (uri: vscode.Uri, request: WebviewRequest = { type: 'state' }): Promise<WebviewResult<WebviewRequest['type']>> => get().query(uri, request)),
  );
}
