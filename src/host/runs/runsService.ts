import type { Method } from '../../core/preferences/methods';
import * as vscode from 'vscode';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { RUN_FILES, type RunStatus } from '../../core/runFolder';
import { canCancel, canResume, describeProgress } from '../../core/runs/runState';
import { DashboardPanel } from '../dashboard/dashboardPanel';
import { runsFolder } from '../runsFolder';
import { lastLines } from './fileTailSource';
import { RunManager } from './runManager';
import { TrustError, refuseUntrusted, showTrustRefusal } from '../workspaceTrust';
import { RunOutputs } from './runOutputs';
import { RunStatusBar } from './runStatusBar';
import { RunStore, type RunChange } from './runStore';
import { RunsTreeProvider, type RunsNode } from './runsTree';
import { startFromConfigFile, startRunFlow, type StartPreset } from './startRunFlow';
import type { TrainerChildren } from '../trainerChildren';
import { SlurmWatcher } from '../trl/slurmJobs';

export type StartResult = { runId: string } | { refused: string } | undefined;

/** Everything behind the Runs view and its commands; created on first use (see registerRuns.ts). */
export class RunsService implements vscode.Disposable {
  /** Read once and on change: the setting is resolved against the workspace folder each time otherwise. */
  private root = runsFolder();
  readonly store = new RunStore(() => this.root);
  readonly manager: RunManager;
  readonly tree: RunsTreeProvider;
  private readonly statusBar: RunStatusBar;
  private readonly outputs = new RunOutputs();
  private readonly lastStatus = new Map<string, RunStatus>();
  /** Runs whose end this window reports (started or resumed here, or seen running). */
  private readonly watched = new Set<string>();
  private readonly disposables: vscode.Disposable[] = [];
  private slurmWatcher: SlurmWatcher | undefined;

  constructor(
    private readonly context: vscode.ExtensionContext,
    readonly output: vscode.OutputChannel,
    readonly children: TrainerChildren,
    private readonly onTreeChanged: () => void,
  ) {
    this.manager = new RunManager(children, this.store);
    this.tree = new RunsTreeProvider(this.store);
    this.statusBar = new RunStatusBar(this.store);
    this.disposables.push(
      this.store,
      this.manager,
      this.statusBar,
      this.outputs,
      this.store.onDidChange((changes) => {
        onTreeChanged();
        this.statusBar.update();
        this.onChanges(changes);
      }),
      this.manager.onDidRefuse(({ id, error }) => this.showError(new Error(`Run ${id}: ${error}`))),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (!e.affectsConfiguration('clinicalFt.runsFolder')) return;
        this.root = runsFolder();
        void this.store.refresh(true);
      }),
    );
    this.store.start();
    // Runs submitted to SLURM from here (slurm.json) are followed whenever squeue or sacct exist.
    this.startSlurmWatcher();
  }

  startSlurmWatcher(): void {
    if (!this.slurmWatcher) {
      this.slurmWatcher = new SlurmWatcher(this.children, this.store, this.onTreeChanged);
      this.disposables.push(this.slurmWatcher);
    }
    this.slurmWatcher.start();
    void this.slurmWatcher.poll();
  }

  get extensionPath(): string {
    return this.context.extensionPath;
  }

  /** Per-workspace memory of the start flow (recently used base models). */
  get workspaceState(): vscode.Memento {
    return this.context.workspaceState;
  }

  /** A run started or resumed here: its log, a cancellable progress notification and the dashboard. */
  followNewRun(id: string): void {
    const e = this.store.get(id);
    if (!e) return;
    this.expectRun(id);
    this.outputs.follow(id, e.dir);
    DashboardPanel.show(this.context.extensionUri, this.store, id);
    void vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Clinical FT: ${id}`, cancellable: true },
      (progress, token) =>
        new Promise<void>((resolve) => {
          let reported = 0;
          token.onCancellationRequested(() => void this.manager.cancel(id).catch((err: unknown) => this.showError(err)));
          const update = (): boolean => {
            const v = this.store.get(id)?.view;
            if (!v || v.status === 'completed' || v.status === 'failed' || v.status === 'cancelled') return false;
            const pct = v.totalSteps ? (100 * v.step) / v.totalSteps : 0;
            progress.report({ message: describeProgress(v), increment: Math.max(0, pct - reported) });
            reported = Math.max(reported, pct);
            return true;
          };
          // A short run may be over before this notification exists.
          if (!update()) return resolve();
          const sub = this.store.onDidChange(() => {
            if (update()) return;
            sub.dispose();
            resolve();
          });
        }),
    );
  }

  /** A run this window starts: report how it ends even if it is over before the first refresh. */
  expectRun(id: string): void {
    this.watched.add(id);
    if (!this.lastStatus.has(id)) this.lastStatus.set(id, 'queued');
  }

  private onChanges(changes: RunChange[]): void {
    for (const c of changes) {
      const e = this.store.get(c.id);
      const v = e?.view;
      if (!e || !v) {
        this.lastStatus.delete(c.id);
        continue;
      }
      const before = this.lastStatus.get(c.id);
      this.lastStatus.set(c.id, v.status);
      if (v.status === 'running' || v.status === 'queued') {
        // Seen running (also after a window reload): follow its log and report how it ends.
        this.watched.add(c.id);
        this.outputs.follow(c.id, e.dir);
      }
      if (this.outputs.has(c.id)) void this.outputs.pump(c.id);
      if (before === v.status || !this.watched.has(c.id) || before === undefined) continue;
      if (v.status === 'completed') {
        void vscode.window.showInformationMessage(`Clinical FT: run ${c.id} completed — final loss ${v.lastLoss?.toPrecision(4) ?? '—'}.`, 'Open dashboard', 'Reveal adapter').then((a) => {
          if (a === 'Open dashboard') DashboardPanel.show(this.context.extensionUri, this.store, c.id);
          if (a === 'Reveal adapter') void this.revealAdapter(c.id);
        });
      } else if (v.status === 'failed') {
        void this.showFailure(c.id);
      }
    }
  }

  /** The error as a person needs it: the message, the last log lines, and what to do next. */
  private async showFailure(id: string): Promise<void> {
    const e = this.store.get(id);
    if (!e?.view) return;
    const error = e.view.error ?? 'unknown error';
    const lines = await lastLines(path.join(e.dir, RUN_FILES.log), 15);
    const channel = this.outputs.follow(id, e.dir);
    channel.appendLine(`\n=== Run ${id} failed: ${error}`);
    if (lines.length) channel.appendLine(`Last log lines:\n${lines.join('\n')}`);
    const canResumeNow = e.record?.lastCheckpoint !== undefined || fs.existsSync(path.join(e.dir, RUN_FILES.checkpoints));
    const actions = ['Open log', 'Open config', ...(canResumeNow ? ['Resume from last checkpoint'] : [])];
    const choice = await vscode.window.showErrorMessage(`Clinical FT: run ${id} failed — ${error.split('\n')[0]}`, ...actions);
    if (choice === 'Open log') channel.show(true);
    else if (choice === 'Open config') await this.openConfig(id);
    else if (choice === 'Resume from last checkpoint') await this.resume(id);
  }

  // ---- commands -------------------------------------------------------------------------------

  /** Start commands answer with the new run id, a refusal (Restricted Mode), or undefined when the person backed out. */
  async startRun(method: Method, uri?: vscode.Uri, preset?: StartPreset): Promise<StartResult> {
    const refused = refuseUntrusted(`Starting a ${method.toUpperCase()} run`);
    if (refused) return refused;
    const runId = await this.guard(() => startRunFlow(this, method, uri, preset));
    return runId ? { runId } : undefined;
  }

  async startFromConfig(uri?: vscode.Uri): Promise<StartResult> {
    const refused = refuseUntrusted('Starting a training run');
    if (refused) return refused;
    const runId = await this.guard(() => startFromConfigFile(this, uri));
    return runId ? { runId } : undefined;
  }

  async openDashboard(node?: RunsNode): Promise<void> {
    const id = node?.id ?? (await this.pickRun('Open the dashboard of', () => true));
    if (id) DashboardPanel.show(this.context.extensionUri, this.store, id);
  }

  /** Overlays runs' curves in one dashboard: the runs selected in the view (two or more), else picked. */
  async compareRuns(selected: RunsNode[] = []): Promise<void> {
    const fromView = [...new Set(selected.filter((n) => n.kind === 'run').map((n) => n.id))].filter((id) => this.store.get(id)?.view);
    const ids =
      fromView.length > 1
        ? fromView
        : (
            await vscode.window.showQuickPick(
              this.store.list().filter((e) => e.view).map((e) => ({ label: e.id, description: `${e.view!.method.toUpperCase()} · ${e.view!.dataset} · ${e.view!.status}`, picked: fromView.includes(e.id) })),
              { title: 'Compare runs', canPickMany: true, placeHolder: 'Pick two or more runs to overlay' },
            )
          )?.map((p) => p.label);
    if (!ids?.length) return;
    DashboardPanel.show(this.context.extensionUri, this.store, ids[0]);
    for (const id of ids.slice(1)) DashboardPanel.show(this.context.extensionUri, this.store, id, { add: true });
  }

  async cancel(node?: RunsNode): Promise<void> {
    const id = node?.id ?? (await this.pickRun('Cancel', (s) => canCancel(s)));
    if (id) await this.guard(() => this.manager.cancel(id));
  }

  async resume(nodeOrId?: RunsNode | string): Promise<StartResult> {
    const refused = refuseUntrusted('Resuming a training run');
    if (refused) return refused;
    const id = typeof nodeOrId === 'string' ? nodeOrId : nodeOrId?.id ?? (await this.pickRun('Resume', (s) => canResume(s)));
    if (!id) return undefined;
    const ok = await this.guard(async () => {
      await this.manager.resume(id);
      this.followNewRun(id);
      return true;
    });
    return ok ? { runId: id } : undefined;
  }

  async revealAdapter(nodeOrId?: RunsNode | string): Promise<void> {
    const id = typeof nodeOrId === 'string' ? nodeOrId : nodeOrId?.id ?? (await this.pickRun('Reveal the adapter of', (s) => s === 'completed'));
    const e = id ? this.store.get(id) : undefined;
    if (!e) return;
    const dir = path.join(e.dir, RUN_FILES.adapter);
    if (!fs.existsSync(dir)) {
      void vscode.window.showWarningMessage(`Clinical FT: run ${e.id} has no adapter yet (it is written when the run completes).`);
      return;
    }
    const uri = vscode.Uri.file(dir);
    // The Explorer shows only workspace folders; a runs folder elsewhere is revealed by the OS.
    await vscode.commands.executeCommand(vscode.workspace.getWorkspaceFolder(uri) ? 'revealInExplorer' : 'revealFileInOS', uri);
  }

  async openConfig(nodeOrId?: RunsNode | string): Promise<void> {
    const id = typeof nodeOrId === 'string' ? nodeOrId : nodeOrId?.id ?? (await this.pickRun('Open the config of', () => true));
    const e = id ? this.store.get(id) : undefined;
    if (e) await vscode.window.showTextDocument(vscode.Uri.file(path.join(e.dir, RUN_FILES.runJson)));
  }

  async showLog(node?: RunsNode): Promise<void> {
    const id = node?.id ?? (await this.pickRun('Show the log of', () => true));
    const e = id ? this.store.get(id) : undefined;
    if (e) this.outputs.show(e.id, e.dir);
  }

  /** Deletes the selected runs (or one picked run) after a confirmation that lists every folder it removes. */
  async deleteRuns(nodes: RunsNode[]): Promise<void> {
    const picked = nodes.length ? undefined : await this.pickRun('Delete', (s) => !canCancel(s));
    const ids = [...new Set(nodes.filter((n) => n.kind === 'run').map((n) => n.id))];
    if (picked) ids.push(picked);
    const entries = ids.flatMap((id) => this.store.get(id) ?? []);
    if (entries.length === 0) return;
    const live = entries.filter((e) => e.alive || this.manager.isLive(e.id));
    if (live.length) {
      void vscode.window.showWarningMessage(`Clinical FT: ${live.map((e) => e.id).join(', ')} ${live.length === 1 ? 'is' : 'are'} still running — cancel first; nothing was deleted.`);
      return;
    }
    const what = entries.length === 1 ? `run ${entries[0].id}` : `${entries.length} runs`;
    // No dialog, no deletion: a refused or dismissed confirmation keeps every folder.
    const answer = await Promise.resolve(
      vscode.window.showWarningMessage(`Delete ${what}? Their adapters, checkpoints, metrics and logs are removed.`, { modal: true, detail: entries.map((e) => e.dir).join('\n') }, 'Delete'),
    ).catch(() => undefined);
    if (answer !== 'Delete') return;
    for (const e of entries) {
      const uri = vscode.Uri.file(e.dir);
      try {
        await vscode.workspace.fs.delete(uri, { recursive: true, useTrash: true });
      } catch {
        // No trash here (remote or headless): the person already confirmed.
        await vscode.workspace.fs.delete(uri, { recursive: true, useTrash: false });
      }
      this.outputs.drop(e.id);
    }
    await this.store.refresh(true);
  }

  refresh(): Promise<void> {
    return this.store.refresh(true);
  }

  private async pickRun(verb: string, ok: (s: RunStatus) => boolean): Promise<string | undefined> {
    const items = this.store
      .list()
      .filter((e) => e.view && ok(e.view.status))
      .map((e) => ({ label: e.id, description: `${e.view!.method.toUpperCase()} · ${e.view!.dataset} · ${e.view!.status} · ${describeProgress(e.view!)}` }));
    if (!items.length) {
      void vscode.window.showInformationMessage(`Clinical FT: no run to ${verb.toLowerCase()}.`);
      return undefined;
    }
    return (await vscode.window.showQuickPick(items, { title: `${verb} run` }))?.label;
  }

  /** Expected problems become a message, never a stack trace; trust refusals explain themselves. */
  private async guard<T>(fn: () => Promise<T>): Promise<T | undefined> {
    try {
      return await fn();
    } catch (e) {
      this.showError(e);
      return undefined;
    }
  }

  private showError(e: unknown): void {
    const msg = e instanceof Error ? e.message : String(e);
    this.output.appendLine(`Runs: ${msg}`);
    if (e instanceof TrustError) {
      showTrustRefusal(e);
    } else {
      void vscode.window.showErrorMessage(`Clinical FT: ${msg.split('\n')[0]}`);
    }
  }

  dispose(): void {
    DashboardPanel.instance?.dispose();
    this.disposables.forEach((d) => d.dispose());
  }
}
