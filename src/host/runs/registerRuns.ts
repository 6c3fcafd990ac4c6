import * as vscode from 'vscode';
import { lazyCommand } from '../lazy';
import type { RunsService } from './runsService';
import type { RunsNode } from './runsTree';
import type { TrainerChildren } from '../trainerChildren';
import { slurmCommand } from '../trl/slurmCommand';

/**
 * Registers the Runs view and the run commands without loading them: activation stays cheap, and the
 * service (run folders, trainer processes, dashboard) is created on first use — or shortly after startup,
 * so a run still going after a window reload is reattached without anyone opening the view.
 */
export function registerRuns(context: vscode.ExtensionContext, output: vscode.OutputChannel, children: TrainerChildren): void {
  const treeChanged = new vscode.EventEmitter<RunsNode | undefined>();
  let service: Promise<RunsService> | undefined;
  const get = () =>
    (service ??= import('./runsService').then((m) => {
      const s = new m.RunsService(context, output, children, () => treeChanged.fire(undefined));
      context.subscriptions.push(s);
      return s;
    }));
  context.subscriptions.push(
    treeChanged,
    vscode.window.createTreeView<RunsNode>('clinicalFt.runs', {
      // Several runs selected → "Compare runs" / "Compare outputs" take them all; other actions act on the clicked run.
      canSelectMany: true,
      treeDataProvider: {
        onDidChangeTreeData: treeChanged.event,
        getChildren: async (node) => (await get()).tree.getChildren(node),
        getTreeItem: async (node) => (await get()).tree.getTreeItem(node),
      },
    }),
  );
  const commands: Record<string, (s: RunsService, ...args: never[]) => unknown> = {
    'clinicalFt.startSftRun': (s, uri?: vscode.Uri) => s.startRun('sft', uri),
    'clinicalFt.startDpoRun': (s, uri?: vscode.Uri) => s.startRun('dpo', uri),
    'clinicalFt.startRunFromConfig': (s, uri?: vscode.Uri) => s.startFromConfig(uri),
    'clinicalFt.startPreferenceRun': async (s, uri?: vscode.Uri, method?: string) => {
      const picked = await (await import('./startPreferenceRun')).pickPreferenceMethod(method);
      return picked ? s.startRun(picked, uri) : undefined;
    },
    'clinicalFt.runs.openDashboard': (s, node?: RunsNode) => s.openDashboard(node),
    'clinicalFt.runs.compare': (s, node?: RunsNode, nodes?: RunsNode[]) => s.compareRuns(nodes ?? (node ? [node] : [])),
    'clinicalFt.runs.cancel': (s, node?: RunsNode) => s.cancel(node),
    // From the view with several runs selected the second argument is the selection: resume the clicked run only.
    'clinicalFt.runs.resume': (s, node?: RunsNode) => s.resume(node),
    'clinicalFt.runs.revealAdapter': (s, node?: RunsNode) => s.revealAdapter(node),
    'clinicalFt.runs.openConfig': (s, node?: RunsNode) => s.openConfig(node),
    'clinicalFt.runs.showLog': (s, node?: RunsNode) => s.showLog(node),
    'clinicalFt.runs.delete': (s, node?: RunsNode, nodes?: RunsNode[]) => s.deleteRuns(nodes ?? (node ? [node] : [])),
    'clinicalFt.runs.refresh': (s) => s.refresh(),
    'clinicalFt.runs.exportForGpuServer': async (s, node?: RunsNode, args?: object) => {
      const m = await import('../trl/remoteCommands');
      return m.asCommand(s.output, () => m.exportForGpuServer(s, node, args ?? {}));
    },
    'clinicalFt.runs.submitToSlurm': async (s, node?: RunsNode, args?: object) => {
      const m = await import('../trl/remoteCommands');
      return m.asCommand(s.output, () => m.submitToSlurm(s, node, args ?? {}));
    },
    'clinicalFt.runs.importResults': async (s, uri?: vscode.Uri) => {
      const m = await import('../trl/remoteCommands');
      return m.asCommand(s.output, () => m.importRunResults(s, uri));
    },
    'clinicalFt.runs.exportModel': async (s, node?: RunsNode | string, preset?: import('./exportModelFlow').ExportChoice) =>
      (await import('./exportModelFlow')).exportModelFlow(s.store, s.children, typeof node === 'string' ? node : node?.id, preset),
    'clinicalFt.runs.improveWithPreferences': async (s, node?: RunsNode | string, args?: unknown) => (await import('../improve/improveCommand')).improveWithPreferences(s, node, args),
    'clinicalFt.trySampleData': async (s) => (await import('./sampleRun')).trySampleData(s),
  };
  for (const [id, fn] of Object.entries(commands)) {
    lazyCommand(context, id, async () => {
      const s = await get();
      return (...args: never[]) => fn(s, ...args);
    });
  }
  // SLURM commands are offered only where sbatch is on PATH (a login node); checked once per window.
  void vscode.commands.executeCommand('setContext', 'clinicalFt.slurmAvailable', slurmCommand('sbatch') !== undefined);
  const warm = setTimeout(() => void get().then(async (s) => {
    const sample = await import('./sampleRun');
    if (sample.pendingSampleRun()) await sample.trySampleData(s);
  }), 1500);
  context.subscriptions.push({ dispose: () => clearTimeout(warm) });
}
