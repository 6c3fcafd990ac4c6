import * as vscode from 'vscode';
import * as path from 'node:path';
import { CompareWebviewMessage, type CompareHostMessage, type CompareStatus } from '../../core/protocol/compare';
import { buildComparison, type ModelEvaluation } from '../../core/compare/evalOutput';
import { comparisonCsv, comparisonMarkdown, type ComparedModel, type Comparison } from '../../core/compare/comparison';
import { writeFileAtomic } from '../../core/node/atomicWrite';
import { webviewHtml, webviewOptions } from '../webviewHtml';
import { EvalProcess } from './evalProcess';
import type { TrainerChildren } from '../trainerChildren';

export interface ComparePlan {
  dataset: string;
  models: ComparedModel[];
  /** Where each evaluation's metrics.json and outputs.jsonl are written (one subfolder per model). */
  outDir: string;
}

/**
 * "Compare runs" panel: evaluates the base model and each adapter on one dataset (one trainer child at a
 * time — the machine's cores are better spent on one evaluation than shared by several), and shows
 * metrics side by side and every example's outputs next to the gold answer.
 */
export class ComparePanel implements vscode.Disposable {
  private readonly panel: vscode.WebviewPanel;
  private readonly evals: (ModelEvaluation | undefined)[];
  private status: CompareStatus;
  private comparison: Comparison;
  private current: EvalProcess | undefined;
  private disposed = false;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    extensionUri: vscode.Uri,
    private readonly plan: ComparePlan,
    private readonly children: TrainerChildren,
  ) {
    this.evals = plan.models.map(() => undefined);
    this.comparison = buildComparison(plan.dataset, plan.models, this.evals);
    this.status = { phase: 'evaluating', message: 'Starting…', done: 0, total: plan.models.length };
    this.panel = vscode.window.createWebviewPanel('clinicalFt.compare', `Compare: ${path.basename(plan.dataset)}`, vscode.ViewColumn.Active, {
      ...webviewOptions(extensionUri),
      retainContextWhenHidden: false,
    });
    this.panel.iconPath = vscode.Uri.joinPath(extensionUri, 'media', 'clinical-ft.svg');
    this.panel.webview.html = webviewHtml(this.panel.webview, extensionUri, 'compare', 'Compare runs');
    this.disposables.push(
      this.panel.onDidDispose(() => this.dispose()),
      this.panel.webview.onDidReceiveMessage((raw) => void this.onMessage(raw)),
    );
    void this.evaluateAll();
  }

  private post(message: CompareHostMessage): void {
    if (!this.disposed) void this.panel.webview.postMessage(message);
  }

  private snapshot(): void {
    this.post({ type: 'snapshot', comparison: this.comparison, status: this.status });
  }

  private async evaluateAll(): Promise<void> {
    const failures: string[] = [];
    const cwd = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    for (const [i, m] of this.plan.models.entries()) {
      if (this.disposed) return;
      this.status = { ...this.status, message: `Evaluating ${m.name} (${i + 1} of ${this.plan.models.length})…`, done: i };
      this.post({ type: 'progress', status: this.status });
      this.current = new EvalProcess(this.children);
      try {
        const out = path.join(this.plan.outDir, `${i}-${m.name.replace(/[^\w.-]+/g, '_')}`);
        this.evals[i] = await this.current.run(m.modelDir, m.adapterDir, this.plan.dataset, out, cwd);
      } catch (e) {
        if (this.disposed) return;
        failures.push(`${m.name}: ${e instanceof Error ? e.message : String(e)}`);
      }
      this.comparison = buildComparison(this.plan.dataset, this.plan.models, this.evals);
      this.status = { ...this.status, done: i + 1 };
      this.snapshot();
    }
    this.status = failures.length
      ? { ...this.status, phase: 'failed', message: `Some evaluations failed — ${failures.join(' · ')}` }
      : { ...this.status, phase: 'done', message: `Evaluated ${this.plan.models.length} models on ${this.comparison.examples.length} examples. Outputs with gold answers are kept in ${this.plan.outDir} until you delete them ("Clinical FT: Delete comparison outputs").` };
    this.snapshot();
  }

  private async onMessage(raw: unknown): Promise<void> {
    const parsed = CompareWebviewMessage.safeParse(raw);
    if (!parsed.success) return;
    const msg = parsed.data;
    if (msg.type === 'ready') return this.snapshot();
    const ext = msg.format === 'markdown' ? 'md' : 'csv';
    const ws = vscode.workspace.workspaceFolders?.[0]?.uri;
    const suggested = `comparison-${path.basename(this.plan.dataset).replace(/\.jsonl$/, '')}.${ext}`;
    const target = await vscode.window.showSaveDialog({
      ...(ws ? { defaultUri: vscode.Uri.joinPath(ws, suggested) } : {}),
      filters: msg.format === 'markdown' ? { Markdown: ['md'] } : { CSV: ['csv'] },
      saveLabel: 'Export comparison',
    });
    if (!target) return;
    const opts = { onlyDisagreements: msg.onlyDisagreements };
    try {
      writeFileAtomic(target.fsPath, msg.format === 'markdown' ? comparisonMarkdown(this.comparison, opts) : comparisonCsv(this.comparison, opts));
      this.post({ type: 'exported', file: target.fsPath });
    } catch (e) {
      void vscode.window.showErrorMessage(`Clinical FT: could not write ${target.fsPath}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.current?.kill();
    this.panel.dispose();
    this.disposables.forEach((d) => d.dispose());
  }
}
