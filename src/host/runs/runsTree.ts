import * as vscode from 'vscode';
import { readSlurmJob } from '../trl/slurmJobs';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { RUN_FILES } from '../../core/runFolder';
import { describeProgress, formatDuration, formatLoss, type RunView } from '../../core/runs/runState';
import type { RunEntry, RunStore } from './runStore';
import { improveProgress } from '../improve/improveProgress';

export type RunsNode =
  | { kind: 'run'; id: string }
  | { kind: 'summary'; id: string }
  | { kind: 'improve'; id: string; progress: string }
  | { kind: 'adapter'; id: string; dir: string }
  | { kind: 'checkpoints'; id: string; dir: string }
  | { kind: 'checkpoint'; id: string; dir: string }
  | { kind: 'log'; id: string; file: string }
  | { kind: 'error'; id: string; message: string };

const STATUS_ICON: Record<RunView['status'], vscode.ThemeIcon> = {
  queued: new vscode.ThemeIcon('clock'),
  running: new vscode.ThemeIcon('sync~spin', new vscode.ThemeColor('charts.blue')),
  completed: new vscode.ThemeIcon('pass', new vscode.ThemeColor('testing.iconPassed')),
  failed: new vscode.ThemeIcon('error', new vscode.ThemeColor('testing.iconFailed')),
  cancelled: new vscode.ThemeIcon('circle-slash'),
};

/** The Runs view: one item per run folder, newest first; children point at what the folder holds. */
export class RunsTreeProvider implements vscode.TreeDataProvider<RunsNode> {
  private readonly emitter = new vscode.EventEmitter<RunsNode | undefined>();
  readonly onDidChangeTreeData = this.emitter.event;

  constructor(private readonly store: RunStore) {}

  refresh(): void {
    this.emitter.fire(undefined);
  }

  getChildren(node?: RunsNode): RunsNode[] {
    if (!node) return this.store.list().map((e) => ({ kind: 'run', id: e.id }));
    const e = this.store.get(node.id);
    if (!e) return [];
    if (node.kind === 'run') return runChildren(e);
    if (node.kind === 'checkpoints') {
      return listDirs(node.dir)
        .sort((a, b) => stepOf(b) - stepOf(a))
        .map((d) => ({ kind: 'checkpoint', id: e.id, dir: path.join(node.dir, d) }));
    }
    return [];
  }

  getTreeItem(node: RunsNode): vscode.TreeItem {
    const e = this.store.get(node.id);
    switch (node.kind) {
      case 'run':
        return e ? runItem(e) : new vscode.TreeItem(node.id);
      case 'summary': {
        const v = e?.view;
        const item = new vscode.TreeItem(`Metrics: ${e?.metrics.summary.count ?? 0} lines`);
        item.description = v ? `last loss ${formatLoss(v.lastLoss)} · min ${formatLoss(e?.metrics.summary.minLoss)}${v.lastEvalLoss !== undefined ? ` · eval ${formatLoss(v.lastEvalLoss)}` : ''}` : '';
        item.iconPath = new vscode.ThemeIcon('graph-line');
        item.command = { command: 'clinicalFt.runs.openDashboard', title: 'Open dashboard', arguments: [{ kind: 'run', id: node.id }] };
        return item;
      }
      case 'improve': {
        const item = new vscode.TreeItem('Improve with preferences');
        item.description = node.progress;
        item.tooltip = `Continue the flow: generate pairs, label them, export, train DPO/KTO/ORPO/SimPO, compare — ${node.progress}`;
        item.iconPath = new vscode.ThemeIcon('thumbsup');
        item.command = { command: 'clinicalFt.runs.improveWithPreferences', title: 'Improve with preferences…', arguments: [node.id] };
        return item;
      }
      case 'adapter': {
        const item = new vscode.TreeItem('Adapter');
        item.description = 'PEFT LoRA';
        item.iconPath = new vscode.ThemeIcon('package');
        item.resourceUri = vscode.Uri.file(node.dir);
        item.contextValue = 'clinicalFt.adapter';
        item.command = { command: 'revealInExplorer', title: 'Reveal', arguments: [vscode.Uri.file(node.dir)] };
        return item;
      }
      case 'checkpoints': {
        const item = new vscode.TreeItem('Checkpoints', vscode.TreeItemCollapsibleState.Collapsed);
        item.description = String(listDirs(node.dir).length);
        item.iconPath = new vscode.ThemeIcon('save-all');
        return item;
      }
      case 'checkpoint': {
        const item = new vscode.TreeItem(path.basename(node.dir));
        item.iconPath = new vscode.ThemeIcon('save');
        item.resourceUri = vscode.Uri.file(node.dir);
        item.command = { command: 'revealInExplorer', title: 'Reveal', arguments: [vscode.Uri.file(node.dir)] };
        return item;
      }
      case 'log': {
        const item = new vscode.TreeItem('Log');
        item.description = RUN_FILES.log;
        item.iconPath = new vscode.ThemeIcon('output');
        item.command = { command: 'vscode.open', title: 'Open log', arguments: [vscode.Uri.file(node.file)] };
        return item;
      }
      case 'error': {
        const item = new vscode.TreeItem(node.message.split('\n')[0]);
        item.tooltip = node.message;
        item.iconPath = new vscode.ThemeIcon('warning');
        return item;
      }
    }
  }
}

function runItem(e: RunEntry): vscode.TreeItem {
  const v = e.view;
  const item = new vscode.TreeItem(e.id, vscode.TreeItemCollapsibleState.Collapsed);
  item.id = `run:${e.id}`;
  if (!v) {
    item.description = 'unreadable run.json';
    item.tooltip = e.readError;
    item.iconPath = new vscode.ThemeIcon('warning');
    item.contextValue = 'clinicalFt.run.unreadable';
    return item;
  }
  // The sidebar is narrow: what changes (status, progress, loss, time) comes before the model name.
  // Two runs on one dataset must not look the same: the start time tells them apart (the id stays in the tooltip).
  const started = e.record?.startedAt ? new Date(e.record.startedAt) : undefined;
  const when = started && !Number.isNaN(started.getTime()) ? started.toLocaleString(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit' }) : e.id;
  item.label = `${v.method.toUpperCase()} · ${v.dataset} · ${when}`;
  const slurm = readSlurmJob(e.dir);
  item.description = `${slurm?.state ? `SLURM ${slurm.jobId} ${slurm.state} · ` : ''}${v.status === 'running' || v.status === 'queued' ? '' : `${v.status} · `}${describeProgress(v)} · ${v.model}`;
  item.iconPath = STATUS_ICON[v.status];
  // Status and method: menus match on both (the improve flow starts from SFT runs only).
  item.contextValue = `clinicalFt.run.${v.status}.${v.method}`;
  const md = new vscode.MarkdownString(undefined, true);
  md.appendMarkdown(`**${v.method.toUpperCase()} run \`${e.id}\`** — ${v.status}\n\n`);
  md.appendMarkdown(`- model: \`${v.model}\`\n- dataset: \`${v.dataset}\`\n- step: ${v.step}${v.totalSteps ? ` / ${v.totalSteps}` : ''}\n`);
  md.appendMarkdown(`- last loss: ${formatLoss(v.lastLoss)}\n- elapsed: ${formatDuration(v.elapsedMs)}${v.etaMs !== undefined ? ` · ETA ${formatDuration(v.etaMs)}` : ''}\n`);
  if (e.record?.backend) md.appendMarkdown(`- backend: ${e.record.backend}\n`);
  if (e.record?.config.engine === 'trl') md.appendMarkdown(`- engine: TRL (Python)${e.record.versions.trl ? ` ${e.record.versions.trl}` : ''}\n`);
  if (v.error) md.appendText(`\n${v.error}`);
  item.tooltip = md;
  return item;
}

function runChildren(e: RunEntry): RunsNode[] {
  const out: RunsNode[] = [];
  if (e.view?.error && (e.view.status === 'failed' || e.view.status === 'cancelled')) out.push({ kind: 'error', id: e.id, message: e.view.error });
  if (e.readError) out.push({ kind: 'error', id: e.id, message: e.readError });
  out.push({ kind: 'summary', id: e.id });
  // Only where the flow started: its state file is in this run's folder.
  const improving = e.record?.config.method === 'sft' ? improveProgress(e) : undefined;
  if (improving) out.push({ kind: 'improve', id: e.id, progress: improving });
  const adapter = path.join(e.dir, RUN_FILES.adapter);
  if (fs.existsSync(adapter)) out.push({ kind: 'adapter', id: e.id, dir: adapter });
  const ckpt = path.join(e.dir, RUN_FILES.checkpoints);
  if (fs.existsSync(ckpt)) out.push({ kind: 'checkpoints', id: e.id, dir: ckpt });
  const log = path.join(e.dir, RUN_FILES.log);
  if (fs.existsSync(log)) out.push({ kind: 'log', id: e.id, file: log });
  return out;
}

function listDirs(dir: string): string[] {
  try {
    return fs.readdirSync(dir, { withFileTypes: true }).filter((d) => d.isDirectory() && !d.name.startsWith('.')).map((d) => d.name);
  } catch {
    return [];
  }
}

const stepOf = (name: string) => Number(/(\d+)$/.exec(name)?.[1] ?? -1);
