import * as vscode from 'vscode';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { RUN_FILES } from '../../core/runFolder';
import { runsFolder } from '../runsFolder';
import { FactSheetPanel } from './factSheetPanel';
import type { TrainerChildren } from '../trainerChildren';

/** Run ids from the Runs view: the clicked run first, then the rest of the selection. */
function selectedIds(args: unknown[]): string[] {
  const isRun = (n: unknown): n is { id: string } => !!n && typeof n === 'object' && (n as { kind?: unknown }).kind === 'run' && typeof (n as { id?: unknown }).id === 'string';
  const clicked = isRun(args[0]) ? [args[0].id] : [];
  const rest = Array.isArray(args[1]) ? args[1].filter(isRun).map((n) => n.id) : [];
  return [...new Set([...clicked, ...rest])];
}

/** The demo's base-model evaluation beside its runs (`npm run demo` writes .clinical-ft/demo/<id>/base): the table's base row. */
function demoBaseFolder(root: string, runId: string): string | undefined {
  const demo = /^(demo-\d{8}-\d{6})-/.exec(runId)?.[1];
  const dir = demo && path.join(path.dirname(root), 'demo', demo, 'base');
  return dir && fs.existsSync(dir) ? dir : undefined;
}

/** "Create model fact sheet" on a run (several selected: the others' evaluations join the table). */
export async function createFactSheet(extensionUri: vscode.Uri, children: TrainerChildren, ...args: unknown[]): Promise<FactSheetPanel | undefined> {
  const root = runsFolder();
  if (!root) {
    void vscode.window.showErrorMessage('Clinical FT: open a workspace folder first — runs are read from its runs folder.');
    return undefined;
  }
  let ids = selectedIds(args).filter((id) => fs.existsSync(path.join(root, id, RUN_FILES.runJson)));
  if (ids.length === 0) {
    const runs = fs.existsSync(root) ? fs.readdirSync(root).filter((d) => fs.existsSync(path.join(root, d, RUN_FILES.runJson))).sort().reverse() : [];
    if (runs.length === 0) {
      void vscode.window.showInformationMessage('Clinical FT: no runs yet — train one first (or run `npm run demo`).');
      return undefined;
    }
    const picked = await vscode.window.showQuickPick(runs, { title: 'Create model fact sheet: pick the run (more runs: their evaluations join the table)', canPickMany: true });
    if (!picked?.length) return undefined;
    ids = picked;
  }
  const [primary, ...others] = ids;
  const base = demoBaseFolder(root, primary);
  return new FactSheetPanel(extensionUri, { runDir: path.join(root, primary), compare: [...others.map((id) => path.join(root, id)), ...(base ? [base] : [])] }, children);
}
