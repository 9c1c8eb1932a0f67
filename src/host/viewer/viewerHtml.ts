import { htmlText } from '../../core/text/escape';
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';

/**
 * The viewer page: no inline script or style; one bundled script admitted by
 * nonce, styles from dist/webview only, images from data: URLs (the overlay
 * PNG) and nothing from the network.
 */
export function viewerHtml(webview: vscode.Webview, extensionUri: vscode.Uri, title: string): string {
  const nonce = randomBytes(16).toString('base64');
  const asset = (name: string): string => webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', 'webview', name)).toString();
  const csp = ["default-src 'none'", `img-src data: blob:`, `style-src ${webview.cspSource}`, `font-src ${webview.cspSource}`, `script-src 'nonce-${nonce}'`].join('; ');
  const escaped = htmlText(title);
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${asset('viewer.css')}">
<title>${escaped}</title>
</head>
<body>
<div id="app" aria-label="ScanLens viewer: ${escaped}"></div>
<script nonce="${nonce}" src="${asset('viewer.js')}"></script>
</body>
</html>`;
}
