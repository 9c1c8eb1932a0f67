import type * as vscode from 'vscode';
import { webviewHtml } from '../webviewHtml';

/** The results page: thumbnails only from the extension's own cache folder, as webview URIs. */
export function resultsHtml(webview: vscode.Webview, extensionUri: vscode.Uri, title: string): string {
  return webviewHtml(webview, extensionUri, { bundle: 'results', label: 'ScanLens results', images: (view) => view.cspSource }, title);
}
