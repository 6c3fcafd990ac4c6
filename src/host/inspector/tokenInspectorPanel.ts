import * as vscode from 'vscode';
import { webviewHtml, webviewOptions } from '../webviewHtml';
import { InspectorHostMessage, InspectorWebviewMessage, type InspectorTarget } from '../../core/protocol/inspector';
import type { InspectRecord } from '../../core/protocol/cliOutputs';
import { recordWarning } from '../../core/prompt/answerWarning';
import { inspectInChild } from './inspectInChild';
import type { TrainerChildren } from '../trainerChildren';

/**
 * "Show training tokens": one panel showing one record as the trainer feeds it (token chips, trained tokens
 * highlighted, special tokens marked). Reused for every request so the person keeps one place to look.
 */
export class TokenInspectorPanel implements vscode.Disposable {
  private static current: TokenInspectorPanel | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  private last: InspectorHostMessage | undefined;
  private generation = 0;

  static show(context: vscode.ExtensionContext, children: TrainerChildren, target: InspectorTarget): TokenInspectorPanel {
    const panel = (TokenInspectorPanel.current ??= new TokenInspectorPanel(context, children));
    panel.panel.reveal(vscode.ViewColumn.Beside, true);
    void panel.load(target);
    return panel;
  }

  private readonly panel: vscode.WebviewPanel;

  private constructor(
    context: vscode.ExtensionContext,
    private readonly children: TrainerChildren,
  ) {
    this.panel = vscode.window.createWebviewPanel('clinicalFt.tokenInspector', 'Training tokens', { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, { ...webviewOptions(context.extensionUri), retainContextWhenHidden: false });
    this.panel.webview.html = webviewHtml(this.panel.webview, context.extensionUri, 'inspector', 'Training tokens');
    this.disposables.push(
      this.panel.webview.onDidReceiveMessage((raw: unknown) => this.onMessage(raw)),
      this.panel.onDidDispose(() => this.dispose()),
    );
  }

  /** The latest snapshot, for tests and the webview's `ready`. */
  get snapshot(): InspectorHostMessage | undefined {
    return this.last;
  }

  private async load(target: InspectorTarget): Promise<void> {
    const mine = ++this.generation;
    this.panel.title = `Training tokens: line ${target.line}`;
    this.post({ type: 'snapshot', target, record: null, warning: null, error: null });
    let record: InspectRecord | null = null;
    let error: string | null = null;
    try {
      record = await inspectInChild(this.children, target);
    } catch (e) {
      error = e instanceof Error ? e.message : String(e);
    }
    if (mine !== this.generation) return; // a newer request replaced this one
    this.post({ type: 'snapshot', target, record, warning: record ? recordWarning(record, target.maxLength) ?? null : null, error });
  }

  private post(msg: InspectorHostMessage): void {
    this.last = msg;
    void this.panel.webview.postMessage(msg);
  }

  private onMessage(raw: unknown): void {
    const parsed = InspectorWebviewMessage.safeParse(raw);
    if (!parsed.success) return;
    const msg = parsed.data;
    const target = this.last?.target;
    if (msg.type === 'ready') {
      if (this.last) void this.panel.webview.postMessage(this.last);
    } else if (msg.type === 'line' && target) {
      void this.load({ ...target, line: msg.line });
    } else if (msg.type === 'revealRecord' && target) {
      void vscode.window.showTextDocument(vscode.Uri.file(target.file), { selection: new vscode.Range(target.line - 1, 0, target.line - 1, 0), viewColumn: vscode.ViewColumn.One });
    }
  }

  dispose(): void {
    if (TokenInspectorPanel.current === this) TokenInspectorPanel.current = undefined;
    this.generation++;
    this.panel.dispose();
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}
