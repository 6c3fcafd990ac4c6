import * as vscode from 'vscode';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { MetricsRecord } from '../../core/metrics';
import { DashboardWebviewMessage, type DashboardRun, type DashboardHostMessage } from '../../core/protocol/dashboard';
import { metricsToCsv } from '../../core/runs/metricsCsv';
import { decimateRecords } from '../../core/runs/chartSeries';
import { webviewHtml, webviewOptions } from '../webviewHtml';
import type { RunChange, RunStore } from '../runs/runStore';
import { isEvalRecord } from '../../core/runs/metricsWindow';
import { RUN_FILES } from '../../core/runFolder';
import { allMetricsRecords } from '../runs/fileTailSource';

/** Deltas are coalesced: a chart redraw per few hundred ms is smooth, one per metrics line is not. */
const FLUSH_MS = 250;
/** Train lines per run in a snapshot; more than a chart has pixels for (CSV export reads metrics.jsonl for all of them). */
const SNAPSHOT_MAX_POINTS = 20_000;

/**
 * The run dashboard: one panel showing one or more runs overlaid. Full snapshot whenever the webview says
 * `ready` (first load, or after being hidden and restored), then appended metrics in batches.
 */
export class DashboardPanel implements vscode.Disposable {
  private static current: DashboardPanel | undefined;
  private readonly panel: vscode.WebviewPanel;
  private readonly runIds: string[] = [];
  private readonly pending = new Map<string, MetricsRecord[]>();
  private flushTimer: NodeJS.Timeout | undefined;
  private ready = false;
  private readonly disposables: vscode.Disposable[] = [];

  static show(extensionUri: vscode.Uri, store: RunStore, runId: string, opts: { add?: boolean } = {}): DashboardPanel {
    const existing = DashboardPanel.current;
    if (existing) {
      if (!opts.add) existing.runIds.splice(0, existing.runIds.length);
      if (!existing.runIds.includes(runId)) existing.runIds.push(runId);
      existing.panel.reveal(undefined, false);
      existing.sendSnapshot();
      return existing;
    }
    DashboardPanel.current = new DashboardPanel(extensionUri, store, runId);
    return DashboardPanel.current;
  }

  static get instance(): DashboardPanel | undefined {
    return DashboardPanel.current;
  }

  private constructor(
    extensionUri: vscode.Uri,
    private readonly store: RunStore,
    runId: string,
  ) {
    this.runIds.push(runId);
    this.panel = vscode.window.createWebviewPanel('clinicalFt.dashboard', 'Run dashboard', vscode.ViewColumn.Active, {
      ...webviewOptions(extensionUri),
      retainContextWhenHidden: false,
    });
    this.panel.iconPath = vscode.Uri.joinPath(extensionUri, 'media', 'clinical-ft.svg');
    this.panel.webview.html = webviewHtml(this.panel.webview, extensionUri, 'dashboard', 'Run dashboard');
    this.disposables.push(
      this.panel.onDidDispose(() => this.dispose()),
      this.panel.webview.onDidReceiveMessage((raw) => void this.onMessage(raw)),
      store.onDidChange((changes) => this.onRunsChanged(changes)),
    );
  }

  get shownRuns(): readonly string[] {
    return this.runIds;
  }

  private post(msg: DashboardHostMessage): void {
    if (this.ready) void this.panel.webview.postMessage(msg);
  }

  private runPayload(id: string): DashboardRun | undefined {
    const e = this.store.get(id);
    if (!e?.view) return undefined;
    const v = e.view;
    return {
      id,
      label: `${v.method.toUpperCase()} · ${v.dataset} · ${id}`,
      method: v.method,
      status: v.status,
      step: v.step,
      totalSteps: v.totalSteps,
      records: decimateRecords(e.metrics.window.records(), SNAPSHOT_MAX_POINTS, isEvalRecord),
    };
  }

  private sendSnapshot(): void {
    this.pending.clear();
    this.panel.title = this.runIds.length === 1 ? `Run ${this.runIds[0]}` : `Runs (${this.runIds.length})`;
    const runs = this.runIds.map((id) => this.runPayload(id)).filter((r): r is DashboardRun => r !== undefined);
    this.post({ type: 'snapshot', runs });
  }

  private onRunsChanged(changes: RunChange[]): void {
    let needSnapshot = false;
    for (const c of changes) {
      if (!this.runIds.includes(c.id)) continue;
      // A thinned window: the webview's appended history would outgrow it, so it starts again from the window.
      if (c.reset || c.thinned) {
        needSnapshot = true;
        continue;
      }
      if (c.appended.length) this.pending.set(c.id, [...(this.pending.get(c.id) ?? []), ...c.appended]);
      if (c.statusChanged) {
        const v = this.store.get(c.id)?.view;
        if (v) this.post({ type: 'status', runId: c.id, status: v.status, step: v.step, totalSteps: v.totalSteps });
      }
    }
    if (needSnapshot) this.sendSnapshot();
    else if (this.pending.size && !this.flushTimer) this.flushTimer = setTimeout(() => this.flush(), FLUSH_MS);
  }

  private flush(): void {
    this.flushTimer = undefined;
    for (const [runId, records] of this.pending) this.post({ type: 'append', runId, records });
    this.pending.clear();
  }

  private async onMessage(raw: unknown): Promise<void> {
    const parsed = DashboardWebviewMessage.safeParse(raw);
    if (!parsed.success) {
      console.warn('[clinical-ft] rejected dashboard message', parsed.error.issues[0]?.message);
      return;
    }
    const msg = parsed.data;
    switch (msg.type) {
      case 'ready':
        this.ready = true;
        this.sendSnapshot();
        return;
      case 'addRun': {
        const items = this.store
          .list()
          .filter((e) => e.view && !this.runIds.includes(e.id))
          .map((e) => ({ label: e.id, description: `${e.view!.method.toUpperCase()} · ${e.view!.model} · ${e.view!.dataset} · ${e.view!.status}` }));
        const picked = await vscode.window.showQuickPick(items, { title: 'Compare with runs', canPickMany: true });
        if (picked?.length) {
          this.runIds.push(...picked.map((p) => p.label));
          this.sendSnapshot();
        }
        return;
      }
      case 'removeRun': {
        const i = this.runIds.indexOf(msg.runId);
        if (i >= 0 && this.runIds.length > 1) this.runIds.splice(i, 1);
        this.sendSnapshot();
        return;
      }
      case 'exportCsv': {
        const runs = await Promise.all(
          this.runIds.map(async (id) => {
            const e = this.store.get(id);
            return { id, records: e ? await allMetricsRecords(path.join(e.dir, RUN_FILES.metrics)) : [] };
          }),
        );
        await this.save('csv', `${this.runIds.join('+')}.metrics.csv`, Buffer.from(metricsToCsv(runs), 'utf8'));
        return;
      }
      case 'exportPng': {
        const bytes = Buffer.from(msg.dataUrl.slice('data:image/png;base64,'.length), 'base64');
        await this.save('png', `${this.runIds.join('+')}.png`, bytes);
        return;
      }
    }
  }

  private async save(what: 'csv' | 'png', name: string, bytes: Buffer): Promise<void> {
    const first = this.store.get(this.runIds[0]);
    const defaultUri = vscode.Uri.file(path.join(first?.dir ?? this.store.root() ?? '', name));
    const uri = await vscode.window.showSaveDialog({ defaultUri, filters: what === 'csv' ? { CSV: ['csv'] } : { PNG: ['png'] } });
    if (!uri) return;
    fs.writeFileSync(uri.fsPath, bytes);
    this.post({ type: 'exported', what, path: uri.fsPath });
  }

  dispose(): void {
    if (DashboardPanel.current === this) DashboardPanel.current = undefined;
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.disposables.forEach((d) => d.dispose());
    this.panel.dispose();
  }
}
