import * as vscode from 'vscode';
import { randomBytes } from 'node:crypto';

/** Webview options every panel uses: scripts on, resources only from dist/ and media/. */
export function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions & vscode.WebviewPanelOptions {
  return {
    enableScripts: true,
    localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist'), vscode.Uri.joinPath(extensionUri, 'media')],
  };
}

/**
 * The one HTML shell of every panel: strict CSP with a fresh nonce, no inline script or style, the panel's
 * bundle dist/webview/<panel>.js (+ its .css when esbuild emitted one) and media/webview.css for theming.
 */
export function webviewHtml(webview: vscode.Webview, extensionUri: vscode.Uri, panel: string, title: string): string {
  const nonce = randomBytes(18).toString('base64');
  const asUri = (...p: string[]) => webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, ...p)).toString();
  const csp = [
    "default-src 'none'",
    `img-src ${webview.cspSource} data: blob:`,
    `style-src ${webview.cspSource}`,
    `font-src ${webview.cspSource}`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${asUri('media', 'webview.css')}">
<link rel="stylesheet" href="${asUri('dist', 'webview', `${panel}.css`)}">
<title>${escapeHtml(title)}</title>
</head>
<body data-panel="${escapeHtml(panel)}">
<div id="app"></div>
<script nonce="${nonce}" src="${asUri('dist', 'webview', `${panel}.js`)}"></script>
</body>
</html>`;
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
