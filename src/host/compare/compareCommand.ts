import * as vscode from 'vscode';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readRunRecord } from '../../core/node/runFolderReader';
import { RUN_FILES } from '../../core/runFolder';
import { evalCandidates, modelNames, sharedModel, type RunChoice } from '../../core/compare/comparePlan';
import { runsFolder } from '../runsFolder';
import { ComparePanel } from './comparePanel';
import { compareOutputsFolder } from './compareOutputsFolder';
import type { TrainerChildren } from '../trainerChildren';
import { refuseUntrusted } from '../workspaceTrust';
import { resolveInWorkspace } from '../workspacePath';

const BROWSE = '$(folder-opened) Choose…';
/** Older demo runs stacked SFT + DPO into this folder; the trainer now writes adapter/ stacked itself. */
const STACKED_ADAPTER = 'adapter-sft-dpo';

interface SelectedRun extends RunChoice {
  dir: string;
  adapterDir: string;
  /** A DPO adapter trained on a folded starting adapter that is not stacked into adapterDir. */
  missingStart?: string;
}

function readRun(dir: string): SelectedRun | undefined {
  const read = readRunRecord(dir);
  if (!read.ok) return undefined;
  const c = read.record.config;
  const adapterDir = [STACKED_ADAPTER, RUN_FILES.adapter].map((d) => path.join(dir, d)).find((d) => fs.existsSync(path.join(d, 'adapter_config.json')));
  if (!adapterDir) return undefined;
  // Runs before adapters were stacked by the trainer itself hold only their own delta in adapter/.
  const stacked = read.record.adapterStackedOn !== undefined || path.basename(adapterDir) === STACKED_ADAPTER;
  const missingStart = c.adapter && c.method === 'dpo' && !stacked ? c.adapter : undefined;
  return { id: read.record.id || path.basename(dir), dir, method: c.method, model: c.model, data: c.data, ...(c.evalData ? { evalData: c.evalData } : {}), adapterDir, ...(missingStart ? { missingStart } : {}) };
}

/** Run ids from the Runs view selection (command arguments: clicked node, all selected nodes). */
function selectedIds(args: unknown[]): string[] {
  const nodes = (Array.isArray(args[1]) ? args[1] : [args[0]]) as unknown[];
  const ids = nodes.flatMap((n) => (n && typeof n === 'object' && (n as { kind?: unknown }).kind === 'run' && typeof (n as { id?: unknown }).id === 'string' ? [(n as { id: string }).id] : []));
  return [...new Set(ids)];
}

async function pickRuns(root: string): Promise<SelectedRun[] | undefined> {
  const runs = fs.existsSync(root)
    ? fs.readdirSync(root, { withFileTypes: true }).filter((d) => d.isDirectory()).flatMap((d) => readRun(path.join(root, d.name)) ?? [])
    : [];
  if (runs.length === 0) {
    void vscode.window.showInformationMessage('Clinical FT: no finished runs with an adapter yet — train one first (or run `npm run demo`).');
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(
    runs.sort((a, b) => b.id.localeCompare(a.id)).map((r) => ({ label: r.id, description: `${r.method.toUpperCase()} · ${path.basename(r.data)}`, run: r })),
    { title: 'Compare runs: pick the adapters to compare with their base model', canPickMany: true },
  );
  return picked?.map((p) => p.run);
}

async function pickFolderOrFile(title: string, options: { label: string; description?: string; value: string }[], folders: boolean): Promise<string | undefined> {
  const choice = await vscode.window.showQuickPick([...options, { label: BROWSE, value: '' }], { title });
  if (!choice) return undefined;
  if (choice.value) return choice.value;
  const uris = await vscode.window.showOpenDialog({ canSelectFolders: folders, canSelectFiles: !folders, ...(folders ? {} : { filters: { JSONL: ['jsonl'] } }), openLabel: 'Use' });
  return uris?.[0]?.fsPath;
}

/** "Clinical FT: Compare runs" — from the palette, or the Runs view with one or more runs selected. */
export async function compareRuns(extensionUri: vscode.Uri, children: TrainerChildren, ...args: unknown[]): Promise<ComparePanel | undefined> {
  if (refuseUntrusted('Comparing model outputs', 'it evaluates models in a local trainer process on files from this workspace')) return undefined;
  const root = runsFolder();
  if (!root) {
    void vscode.window.showErrorMessage('Clinical FT: open a workspace folder first — runs are read from its runs folder.');
    return undefined;
  }
  const ids = selectedIds(args);
  const chosen = ids.length ? ids.flatMap((id) => readRun(path.join(root, id)) ?? []) : await pickRuns(root);
  return compareChosen(extensionUri, children, root, ids, chosen);
}

/** Compares the runs with these ids on `dataset` (asked for when not given): the improve flow's last step. */
export async function compareRunIds(extensionUri: vscode.Uri, children: TrainerChildren, ids: string[], dataset?: string): Promise<ComparePanel | undefined> {
  if (refuseUntrusted('Comparing model outputs', 'it evaluates models in a local trainer process on files from this workspace')) return undefined;
  const root = runsFolder();
  if (!root) return undefined;
  return compareChosen(extensionUri, children, root, ids, ids.flatMap((id) => readRun(path.join(root, id)) ?? []), dataset);
}

async function compareChosen(extensionUri: vscode.Uri, children: TrainerChildren, root: string, ids: string[], chosen: SelectedRun[] | undefined, given?: string): Promise<ComparePanel | undefined> {
  // Columns read base → SFT → DPO whatever order the runs were selected in (the sort is stable).
  const runs = chosen?.sort((a, b) => Number(a.method === 'dpo') - Number(b.method === 'dpo'));
  if (!runs?.length) {
    if (ids.length) void vscode.window.showErrorMessage('Clinical FT: the selected runs have no adapter yet (they must complete first).');
    return undefined;
  }
  const ws = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  const shared = sharedModel(runs);
  const model = shared
    ? resolveInWorkspace(shared)
    : await pickFolderOrFile('Base model for the comparison', [...new Set(runs.map((r) => r.model))].map((m) => ({ label: path.basename(m), description: m, value: resolveInWorkspace(m) })), true);
  if (!model) return undefined;
  const candidates = evalCandidates(runs).map(resolveInWorkspace).filter((f) => fs.existsSync(f));
  const dataset = given ?? (await pickFolderOrFile('Held-out dataset to evaluate on', candidates.map((f) => ({ label: path.basename(f), description: ws ? path.relative(ws, f) : f, value: f })), false));
  if (!dataset) return undefined;
  const partial = runs.filter((r) => r.missingStart);
  if (partial.length) {
    void vscode.window.showWarningMessage(
      `Clinical FT: ${partial.map((r) => r.id).join(', ')} trained on top of a starting adapter (${partial.map((r) => r.missingStart).join(', ')}); its own adapter is compared without it. Select the starting run too to see both.`,
    );
  }
  const names = modelNames(runs);
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*$/, '').replace('T', '-');
  const outDir = path.join(compareOutputsFolder() ?? path.join(path.dirname(root), 'compare'), `${stamp}-${path.basename(dataset).replace(/\.jsonl$/, '')}`);
  return new ComparePanel(extensionUri, { dataset, outDir, models: [{ name: names[0], modelDir: model }, ...runs.map((r, i) => ({ name: names[i + 1], modelDir: model, adapterDir: r.adapterDir }))] }, children);
}
