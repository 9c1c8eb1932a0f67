import type * as vscode from 'vscode';
import { webviewHtml } from '../webviewHtml';

/** The viewer page: images only from data: and blob: URLs (the slice and overlay it draws itself). */
export function viewerHtml(webview: vscode.Webview, extensionUri: vscode.Uri, title: string): string {
  return webviewHtml(webview, extensionUri, { bundle: 'viewer', label: 'ScanLens viewer', images: () => 'data: blob:' }, title);
}
