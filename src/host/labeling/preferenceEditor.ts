import * as vscode from 'vscode';
import * as path from 'node:path';
import { LabelerWebviewMessage, type LabelerHostMessage, type RecordView } from '../../core/protocol/labeler';
import { webviewHtml, webviewOptions } from '../webviewHtml';
import { annotatorName, onDidChangeAnnotator } from './annotator';
import { editRecordLine, queued } from './labelEdits';
import { recordView } from './recordViews';

/** Registered in registerLabeling.ts, with a twin view type offered via "Reopen Editor With…" for any JSONL. */
const LABELER_VIEW_TYPE = 'clinicalFt.preferenceLabeler';

/**
 * "Clinical FT: Preference Labeler". The TextDocument is the model: the webview renders snapshots of it
 * and asks for edits; every decision is a minimal edit of one line, so nothing lives only in the webview.
 */
export class PreferenceEditorProvider implements vscode.CustomTextEditorProvider {
  /** Open labeler panels by document, so "Open side by side" can reveal a record in an existing one. */
  private readonly panels = new Map<string, Set<vscode.WebviewPanel>>();
  private readonly pendingReveal = new Map<string, number>();

  constructor(private readonly extensionUri: vscode.Uri) {}

  /** Opens (or focuses) the labeler for `uri` showing the record on 0-based `line`. */
  async reveal(uri: vscode.Uri, line: number, viewColumn: vscode.ViewColumn = vscode.ViewColumn.Beside): Promise<void> {
    const key = uri.toString();
    const open = this.panels.get(key);
    if (open?.size) {
      const panel = [...open][0];
      // A hidden webview is rebuilt when shown and asks for a snapshot; the reveal must ride on that.
      if (panel.visible) void post(panel, { type: 'reveal', line });
      else this.pendingReveal.set(key, line);
      panel.reveal(panel.viewColumn ?? viewColumn);
      return;
    }
    this.pendingReveal.set(key, line);
    await vscode.commands.executeCommand('vscode.openWith', uri, LABELER_VIEW_TYPE, { viewColumn, preview: false });
  }

  resolveCustomTextEditor(document: vscode.TextDocument, panel: vscode.WebviewPanel): void {
    const key = document.uri.toString();
    const disposables: vscode.Disposable[] = [];
    if (!this.panels.has(key)) this.panels.set(key, new Set());
    this.panels.get(key)!.add(panel);

    panel.webview.options = webviewOptions(this.extensionUri);
    panel.webview.html = webviewHtml(panel.webview, this.extensionUri, 'labeler', `Preference Labeler — ${path.basename(document.uri.fsPath)}`);

    let lineCount = document.lineCount;
    const snapshot = (reveal?: number): LabelerHostMessage => {
      lineCount = document.lineCount;
      const records: RecordView[] = [];
      for (let i = 0; i < document.lineCount; i++) {
        const v = recordView(document.lineAt(i).text, i);
        if (v) records.push(v);
      }
      return {
        type: 'snapshot',
        fileName: path.basename(document.uri.fsPath),
        annotator: annotatorName() ?? 'not set yet (asked at your first label)',
        lineCount,
        records,
        ...(reveal !== undefined ? { reveal } : {}),
      };
    };

    disposables.push(
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.document.uri.toString() !== key || e.contentChanges.length === 0) return;
        const singleLine = e.contentChanges.every((c) => c.range.start.line === c.range.end.line && !/[\r\n]/.test(c.text));
        if (!singleLine || document.lineCount !== lineCount) {
          void post(panel, snapshot());
          return;
        }
        // A same-shape edit (a label, a typo fix): resend only the touched records; an emptied line is a
        // removal the webview cannot express as an update, so it gets a snapshot.
        const lines = [...new Set(e.contentChanges.map((c) => c.range.start.line))];
        const records = lines.map((l) => recordView(document.lineAt(l).text, l));
        if (records.some((r) => !r)) void post(panel, snapshot());
        else void post(panel, { type: 'update', records: records as RecordView[] });
      }),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('clinicalFt.annotator')) void post(panel, snapshot());
      }),
      onDidChangeAnnotator(() => void post(panel, snapshot())),
      panel.webview.onDidReceiveMessage(async (raw: unknown) => {
        const parsed = LabelerWebviewMessage.safeParse(raw);
        if (!parsed.success) {
          console.warn('[clinical-ft] labeler: rejected webview message', parsed.error.issues[0]?.message);
          return;
        }
        const msg = parsed.data;
        switch (msg.type) {
          case 'ready': {
            const reveal = this.pendingReveal.get(key);
            this.pendingReveal.delete(key);
            void post(panel, snapshot(reveal));
            return;
          }
          case 'label':
          case 'rationale': {
            const change = msg.type === 'label' ? { label: msg.label } : { rationale: msg.text };
            const outcome = await queued(document, () => editRecordLine(document, msg.line, change, msg.expect));
            if (!outcome.ok) {
              void post(panel, { type: 'notice', message: `Not saved: ${outcome.reason}.` });
              void post(panel, snapshot());
            }
            return;
          }
          case 'undo':
          case 'redo':
            // VS Code's own undo stack of the document: the webview holds no history of its own.
            await queued(document, async () => {
              await vscode.commands.executeCommand(msg.type);
            });
            return;
          case 'showText': {
            const pos = new vscode.Position(Math.min(msg.line, document.lineCount - 1), 0);
            await vscode.window.showTextDocument(document, { viewColumn: vscode.ViewColumn.Beside, selection: new vscode.Range(pos, pos) });
            return;
          }
        }
      }),
    );

    panel.onDidDispose(() => {
      this.panels.get(key)?.delete(panel);
      if (this.panels.get(key)?.size === 0) this.panels.delete(key);
      disposables.forEach((d) => d.dispose());
    });
  }
}

function post(panel: vscode.WebviewPanel, message: LabelerHostMessage): Thenable<boolean> {
  return panel.webview.postMessage(message);
}
