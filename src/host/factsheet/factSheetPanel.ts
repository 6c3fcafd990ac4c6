import * as vscode from 'vscode';
import * as path from 'node:path';
import { FactSheetWebviewMessage, type FactSheetHostMessage, type FactSheetStatus } from '../../core/protocol/factsheet';
import { FactSheetInputs } from '../../core/factsheet/inputs';
import { ANSWERS_FILE, answersFileText, type Answers } from '../../core/factsheet/answers';
import { buildFactSheet } from '../../core/factsheet/document';
import { factSheetFiles, type ExportFormat } from '../../core/factsheet/exports';
import { readAnswers, writeFactSheetFiles } from '../../core/node/factSheetFiles';
import { writeFileAtomic } from '../../core/node/atomicWrite';
import { webviewHtml, webviewOptions } from '../webviewHtml';
import type { TrainerChildren } from '../trainerChildren';

export interface FactSheetPlan {
  runDir: string;
  /** Runs (and evaluation folders) whose evaluations join the table. */
  compare: string[];
}

/** Folder the panel's exports go to, inside the run folder. */
export const EXPORT_FOLDER = 'factsheet';

/**
 * "Create model fact sheet": the trainer gathers the run's facts (`clinical-ft factsheet --inputs-json`, the CLI's
 * own code), this panel shows the document every export renders, with the person-written fields as a form saved
 * beside the run (factsheet.answers.json) and buttons that write Markdown, HTML, HTI-1 JSON and CHAI XML.
 */
export class FactSheetPanel implements vscode.Disposable {
  private readonly panel: vscode.WebviewPanel;
  private inputs: FactSheetInputs | undefined;
  private answers: Answers = {};
  private status: FactSheetStatus = { phase: 'loading', message: 'Reading the run’s artifacts…' };
  private disposed = false;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    extensionUri: vscode.Uri,
    private readonly plan: FactSheetPlan,
    private readonly children: TrainerChildren,
  ) {
    this.panel = vscode.window.createWebviewPanel('clinicalFt.factSheet', `Fact sheet: ${path.basename(plan.runDir)}`, vscode.ViewColumn.Active, { ...webviewOptions(extensionUri), retainContextWhenHidden: false });
    this.panel.iconPath = vscode.Uri.joinPath(extensionUri, 'media', 'clinical-ft.svg');
    this.panel.webview.html = webviewHtml(this.panel.webview, extensionUri, 'factsheet', 'Model fact sheet');
    this.disposables.push(
      this.panel.onDidDispose(() => this.dispose()),
      this.panel.webview.onDidReceiveMessage((raw) => void this.onMessage(raw)),
    );
    void this.load();
  }

  private post(message: FactSheetHostMessage): void {
    if (!this.disposed) void this.panel.webview.postMessage(message);
  }

  private snapshot(): void {
    this.post({ type: 'snapshot', status: this.status, doc: this.inputs ? buildFactSheet(this.inputs, this.answers) : null, answers: this.answers });
  }

  private async load(): Promise<void> {
    try {
      this.answers = readAnswers(this.plan.runDir);
      const args = ['factsheet', '--run', this.plan.runDir, ...this.plan.compare.flatMap((d) => ['--compare', d]), '--inputs-json'];
      const r = await this.children.run({ label: `factsheet ${path.basename(this.plan.runDir)}`, args, timeoutMs: 10 * 60_000, maxStdoutBytes: 64 * 2 ** 20 }).result;
      if (this.disposed) return;
      let parsed: ReturnType<typeof FactSheetInputs.safeParse> | undefined;
      try {
        parsed = r.code === 0 ? FactSheetInputs.safeParse(JSON.parse(r.stdout)) : undefined;
      } catch {
        parsed = undefined;
      }
      if (!parsed?.success) throw new Error(r.stderr.trim().split('\n')[0] || `the trainer ${r.timedOut ? 'timed out' : `exited with ${r.signal ?? `code ${r.code}`}`}`);
      this.inputs = parsed.data;
      this.status = { phase: 'ready', message: `Built from ${this.plan.runDir}${this.plan.compare.length ? ` and ${this.plan.compare.length} compared folder(s)` : ''}.` };
    } catch (e) {
      this.status = { phase: 'failed', message: `Could not build the fact sheet: ${e instanceof Error ? e.message : String(e)}` };
    }
    this.snapshot();
  }

  private async onMessage(raw: unknown): Promise<void> {
    const parsed = FactSheetWebviewMessage.safeParse(raw);
    if (!parsed.success) return;
    const msg = parsed.data;
    if (msg.type === 'ready') return this.snapshot();
    if (msg.type === 'save') {
      const file = path.join(this.plan.runDir, ANSWERS_FILE);
      try {
        writeFileAtomic(file, answersFileText(msg.answers));
        this.answers = msg.answers;
        this.post({ type: 'saved', file });
        this.snapshot();
      } catch (e) {
        this.post({ type: 'error', message: `Could not save ${file}: ${e instanceof Error ? e.message : String(e)}` });
      }
      return;
    }
    if (!this.inputs) return;
    try {
      const written = writeFactSheetFiles(path.join(this.plan.runDir, EXPORT_FOLDER), factSheetFiles(this.inputs, this.answers, msg.formats as ExportFormat[]));
      this.post({ type: 'exported', files: written });
    } catch (e) {
      this.post({ type: 'error', message: `Could not export: ${e instanceof Error ? e.message : String(e)}` });
    }
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.panel.dispose();
    this.disposables.forEach((d) => d.dispose());
  }
}
