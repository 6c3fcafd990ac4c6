// The Start run flow's pickers: dataset, base model and starting adapter. They guide: only files whose format
// fits the method (the rest behind "Show all…"), training splits first and preselected, held-out splits and
// defect files never preselected; the sample model named as such; for DPO the newest SFT run of the same base.
import { startsFromSft, type Method } from '../../core/preferences/methods';
import { adapterHints, datasetPlaceholder } from '../../core/preferences/startHints';
import * as vscode from 'vscode';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { datasetCandidate, describeCandidate, orderCandidates, preselected, type DatasetCandidate } from '../../core/datasets/datasetChoice';
import { isModelFolder } from '../../core/node/modelFolder';
import { defaultModelFolder } from '../modelFolder';
import type { RunsService } from './runsService';
import type { StartFlowSession } from './startFlowSession';

const BROWSE = '$(folder-opened) Choose…';
const SHOW_ALL = '$(list-unordered) Show all…';
export const SAMPLE_MODEL_LABEL = 'Sample model (1 M parameters, for trying the workflow)';
const RECENT_MODELS = 'clinicalFt.recentModels';
const MAX_RECENT = 5;

type Item = vscode.QuickPickItem & { path: string; candidate?: DatasetCandidate };

/** The first line of a file (up to 64 KiB), enough to detect a JSONL file's format. */
function firstLine(file: string): string | undefined {
  try {
    const fd = fs.openSync(file, 'r');
    try {
      const buf = Buffer.alloc(64 * 1024);
      const n = fs.readSync(fd, buf, 0, buf.length, 0);
      return buf.subarray(0, n).toString('utf8').split(/\r?\n/).find((l) => l.trim() !== '');
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return undefined;
  }
}

async function datasetCandidates(method: Method): Promise<{ candidate: DatasetCandidate; file: string }[]> {
  const globs = vscode.workspace.getConfiguration('clinicalFt').get<string[]>('datasetGlobs') ?? ['**/*.jsonl'];
  const found = await vscode.workspace.findFiles(`{${[...globs, '**/*.jsonl'].join(',')}}`, '**/{node_modules,.git,.clinical-ft}/**', 500);
  const byRel = new Map(found.map((u) => [vscode.workspace.asRelativePath(u).split(path.sep).join('/'), u.fsPath]));
  const cs = [...byRel].map(([rel, file]) => datasetCandidate(rel, firstLine(file), method));
  return orderCandidates(cs).map((candidate) => ({ candidate, file: byRel.get(candidate.relPath)! }));
}

function datasetItem(c: DatasetCandidate, file: string): Item {
  return { label: path.basename(file), description: c.relPath, detail: describeCandidate(c), path: file, candidate: c };
}

export async function pickDataset(flow: StartFlowSession, method: Method): Promise<string | undefined> {
  let pick: DatasetCandidate | undefined;
  const all = datasetCandidates(method).then((list) => {
    pick = preselected(list.map((x) => x.candidate));
    return list;
  });
  const step = (showAll: boolean) =>
    flow.choose<Item>(
      {
        title: `Start ${method.toUpperCase()} run (1/4): dataset`,
        placeholder: `${datasetPlaceholder(method)} — type to search names, folders and formats`,
        matchOnDescription: true,
        matchOnDetail: true,
        active: (i) => i.candidate !== undefined && i.candidate === pick,
      },
      all.then((list) => {
        const shown = list.filter(({ candidate }) => showAll || candidate.fits);
        const hidden = list.length - shown.length;
        return [
          ...shown.map(({ candidate, file }) => datasetItem(candidate, file)),
          ...(hidden > 0 ? [{ label: SHOW_ALL, description: `${hidden} more JSONL file(s) whose first record does not fit ${method.toUpperCase()}`, path: '*' }] : []),
          { label: BROWSE, description: 'a JSONL file elsewhere', path: '' },
        ];
      }),
    );
  let picked = await step(false);
  if (picked?.path === '*') picked = await step(true);
  if (!picked) return undefined;
  if (picked.path && picked.path !== '*') return picked.path;
  const uris = await flow.aside(() => vscode.window.showOpenDialog({ canSelectMany: false, filters: { JSONL: ['jsonl'] }, openLabel: 'Use dataset' }));
  return uris?.[0]?.fsPath;
}

/** The bundled sample model, or a copy of it (same config.json): named as what it is, not "model". */
function isSampleModel(extensionPath: string, dir: string): boolean {
  const read = (d: string) => {
    try {
      return fs.readFileSync(path.join(d, 'config.json'), 'utf8');
    } catch {
      return undefined;
    }
  };
  const sample = read(path.join(extensionPath, 'datasets-sample', 'model'));
  return sample !== undefined && read(dir) === sample;
}

/** Model folders in the workspace; started with the flow so the model step's list is ready when it shows. */
export async function workspaceModelFolders(): Promise<string[]> {
  const configs = await vscode.workspace.findFiles('**/config.json', '**/{node_modules,.git,.clinical-ft}/**', 200);
  return configs.map((u) => path.dirname(u.fsPath)).filter((d) => fs.existsSync(path.join(d, 'tokenizer.json')) && fs.readdirSync(d).some((f) => f.endsWith('.safetensors') || f === 'model.safetensors.index.json'));
}

export async function pickModel(svc: RunsService, flow: StartFlowSession, found: Promise<string[]>): Promise<string | undefined> {
  const def = defaultModelFolder(svc.extensionPath);
  const recent = svc.workspaceState.get<string[]>(RECENT_MODELS, []).filter((d) => isModelFolder(d));
  const items = (async () => {
    const seen = new Set<string>();
    const out: Item[] = [];
    const add = (dir: string, why: string) => {
      const key = path.resolve(dir);
      if (seen.has(key)) return;
      seen.add(key);
      const sample = isSampleModel(svc.extensionPath, dir);
      const inWorkspace = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(dir)) !== undefined;
      out.push({
        label: `$(package) ${sample ? SAMPLE_MODEL_LABEL : path.basename(dir)}`,
        description: sample && !inWorkspace ? 'bundled with the extension' : vscode.workspace.asRelativePath(dir),
        detail: why,
        path: dir,
      });
    };
    if (def) add(def, 'Default base model (setting clinicalFt.defaultModel)');
    for (const d of recent) add(d, 'Recently used in this workspace');
    for (const d of await found) add(d, 'Model folder in this workspace');
    out.push({ label: BROWSE, description: 'a Hugging Face model folder (config.json, *.safetensors, tokenizer.json)', path: '' });
    return out;
  })();
  const picked = await flow.choose<Item>({ title: 'Base model (2/4)', matchOnDescription: true, matchOnDetail: true }, items);
  if (!picked) return undefined;
  let folder: string | undefined = picked.path;
  if (!folder) {
    const uris = await flow.aside(() => vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, openLabel: 'Use model folder' }));
    folder = uris?.[0]?.fsPath;
    if (folder && !isModelFolder(folder)) {
      void vscode.window.showErrorMessage(`Clinical FT: ${folder} has no config.json — pick a Hugging Face model folder.`);
      return undefined;
    }
  }
  if (folder) await svc.workspaceState.update(RECENT_MODELS, [folder, ...recent.filter((d) => path.resolve(d) !== path.resolve(folder!))].slice(0, MAX_RECENT));
  return folder;
}

/**
 * undefined = no starting adapter; null = the person cancelled. A method that adjusts an SFT policy (DPO, KTO,
 * SimPO) preselects the newest SFT run of the same base; ORPO starts from the base.
 */
export async function pickAdapter(svc: RunsService, flow: StartFlowSession, method: Method, model: string): Promise<string | undefined | null> {
  const runs = svc.store.list().filter((e) => e.view?.status === 'completed' && fs.existsSync(path.join(e.dir, 'adapter', 'adapter_config.json')));
  const sameBase = (e: (typeof runs)[number]) => e.record !== undefined && path.resolve(e.record.config.model) === path.resolve(model);
  const adapters: Item[] = runs.map((e) => ({
    label: `$(history) ${e.id}`,
    description: `${e.view?.method.toUpperCase()} · ${e.view?.dataset} · ${e.view?.model}`,
    ...(sameBase(e) ? {} : { detail: 'trained on a different base model' }),
    path: path.join(e.dir, 'adapter'),
  }));
  // store.list() is newest first.
  const suggested = startsFromSft(method) ? runs.find((e) => e.view?.method === 'sft' && sameBase(e)) : undefined;
  const suggestedPath = suggested ? path.join(suggested.dir, 'adapter') : undefined;
  const items: Item[] = [
    { label: '$(circle-slash) None', description: adapterHints(method).none, path: '' },
    ...adapters,
    { label: BROWSE, description: 'an adapter folder (PEFT format)', path: '?' },
  ];
  const picked = await flow.choose<Item>(
    {
      title: 'Starting adapter (3/4, optional)',
      placeholder: startsFromSft(method) ? `${method.toUpperCase()} usually starts from an SFT adapter: ${suggested ? 'the newest SFT run of this base model is selected' : 'no completed SFT run of this base model yet'}` : adapterHints(method).placeholder,
      matchOnDescription: true,
      ...(suggestedPath ? { active: (i: Item) => i.path === suggestedPath } : {}),
    },
    items,
  );
  if (!picked) return null;
  if (picked.path === '') return undefined;
  if (picked.path !== '?') return picked.path;
  const uris = await flow.aside(() => vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, openLabel: 'Use adapter' }));
  return uris?.[0]?.fsPath ?? null;
}
