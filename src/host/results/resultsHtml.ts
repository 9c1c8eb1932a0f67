import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import { htmlText } from '../../core/text/escape';

/**
 * The results page, under the viewer's policy: no inline script or style;
 * one bundled script admitted by nonce, styles from dist/webview only,
 * thumbnails from the extension's own cache folder, nothing from the network.
 */
export function resultsHtml(webview: vscode.Webview, extensionUri: vscode.Uri, title: string): string {
  const nonce = randomBytes(16).toString('base64');
  const asset = (name: string): string => webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', 'webview', name)).toString();
  const csp = ["default-src 'none'", `img-src ${webview.cspSource}`, `style-src ${webview.cspSource}`, `font-src ${webview.cspSource}`, `script-src 'nonce-${nonce}'`].join('; ');
  const escaped = htmlText(title);
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${asset('results.css')}">
<title>${escaped}</title>
</head>
<body>
<div id="app" aria-label="ScanLens results: ${escaped}"></div>
<script nonce="${nonce}" src="${asset('results.js')}"></script>
</body>
</html>`;
}
