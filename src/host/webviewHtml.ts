import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import { htmlText } from '../core/text/escape';

/** One of the extension's webview pages: its bundle's name in dist/webview, what it is called, and where its images may come from. */
export interface PageSpec {
  /** `viewer` → dist/webview/viewer.js and viewer.css. */
  readonly bundle: string;
  /** Read out with the title: "ScanLens viewer". */
  readonly label: string;
  /** The CSP's img-src: data: URLs for drawn overlays, the webview's own source for cached files. */
  readonly images: (webview: vscode.Webview) => string;
}

/**
 * A page under the project's webview policy: no inline script or style; one
 * bundled script admitted by a fresh nonce, styles and fonts from
 * dist/webview only, images as the page says, nothing from the network.
 */
export function webviewHtml(webview: vscode.Webview, extensionUri: vscode.Uri, page: PageSpec, title: string): string {
  const nonce = randomBytes(16).toString('base64');
  const asset = (name: string): string => webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', 'webview', name)).toString();
  const csp = ["default-src 'none'", `img-src ${page.images(webview)}`, `style-src ${webview.cspSource}`, `font-src ${webview.cspSource}`, `script-src 'nonce-${nonce}'`].join('; ');
  const escaped = htmlText(title);
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${asset(`${page.bundle}.css`)}">
<title>${escaped}</title>
</head>
<body>
<div id="app" aria-label="${htmlText(page.label)}: ${escaped}"></div>
<script nonce="${nonce}" src="${asset(`${page.bundle}.js`)}"></script>
</body>
</html>`;
}
