// The slice of the `vscode` module that src/host/webviewHtml.ts uses, so the webview tests serve each panel
// with the product's own HTML shell (CSP, nonce, stylesheet and script tags) outside VS Code.
export class Uri {
  private constructor(readonly path: string) {}
  static file(p: string): Uri {
    return new Uri(p);
  }
  static joinPath(base: Uri, ...segments: string[]): Uri {
    return new Uri([base.path.replace(/\/$/, ''), ...segments].join('/'));
  }
  toString(): string {
    return `file://${this.path}`;
  }
}
