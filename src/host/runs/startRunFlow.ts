import * as vscode from 'vscode';
import { SHOW_TRAINING_TOKENS, type ShowTokensRequest } from '../inspector/registerInspector';
import { defaultModelFolder } from '../modelFolder';
import { isModelFolder } from '../../core/node/modelFolder';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { RunConfig } from '../../core/runConfig';
import { applyReviewEdit, defaultRunConfig, parseRunConfigFile, reviewFields } from '../../core/runs/runDefaults';
import { checkDataset, describeIssue } from './datasetCheck';
import { phiAsErrors } from '../datasets/datasetGlobs';
import { assertTrusted } from './runManager';
import { configuredNodePath } from '../trainerProcess';
import type { RunsService } from './runsService';

const BROWSE = '$(folder-opened) Choose…';

/**
 * "Start SFT run" / "Start DPO run": dataset (validated first), base model, optional starting adapter, then
 * the defaults for review. Every step can be abandoned with Escape; nothing is written before Start.
 */
export async function startRunFlow(svc: RunsService, method: 'sft' | 'dpo', datasetUri?: vscode.Uri): Promise<string | undefined> {
  assertTrusted(`Starting a ${method.toUpperCase()} run`);
  const data = datasetUri?.scheme === 'file' ? datasetUri.fsPath : await pickDataset(method);
  if (!data) return undefined;
  if (!(await datasetIsUsable(svc, data, method))) return undefined;
  const model = await pickModel(svc);
  if (!model) return undefined;
  const adapter = await pickAdapter(svc, method);
  if (adapter === null) return undefined;
  const config = await review(svc, defaultRunConfig(method, { model, data, adapter }));
  if (!config) return undefined;
  return launch(svc, config);
}

/** "Start run from config": a `*.run.json` (bare config or a run folder's run.json). */
export async function startFromConfigFile(svc: RunsService, uri?: vscode.Uri): Promise<string | undefined> {
  assertTrusted('Starting a training run');
  let file = uri?.scheme === 'file' ? uri.fsPath : undefined;
  if (!file && vscode.window.activeTextEditor?.document.fileName.endsWith('.run.json')) file = vscode.window.activeTextEditor.document.fileName;
  if (!file) {
    const picked = await vscode.window.showOpenDialog({ canSelectMany: false, filters: { 'Run config': ['json'] }, openLabel: 'Start run' });
    file = picked?.[0]?.fsPath;
  }
  if (!file) return undefined;
  const open = vscode.workspace.textDocuments.find((d) => d.fileName === file);
  if (open?.isDirty) await open.save();
  const parsed = parseRunConfigFile(fs.readFileSync(file, 'utf8'));
  if (!parsed.ok) {
    void vscode.window.showErrorMessage(`Clinical FT: ${path.basename(file)} is not a usable run config — ${parsed.message}`);
    return undefined;
  }
  const config = absolutize(parsed.config, path.dirname(file));
  if (!(await datasetIsUsable(svc, config.data, config.method))) return undefined;
  return launch(svc, config);
}

async function launch(svc: RunsService, config: RunConfig): Promise<string> {
  const id = await svc.manager.start(config, (created) => svc.expectRun(created));
  svc.followNewRun(id);
  return id;
}

/** Relative paths in a config file mean "next to the config file". */
function absolutize(c: RunConfig, base: string): RunConfig {
  const abs = (p: string | undefined) => (p === undefined || path.isAbsolute(p) ? p : path.resolve(base, p));
  return { ...c, model: abs(c.model)!, data: abs(c.data)!, evalData: abs(c.evalData), adapter: abs(c.adapter) };
}

async function pickDataset(method: 'sft' | 'dpo'): Promise<string | undefined> {
  const globs = vscode.workspace.getConfiguration('clinicalFt').get<string[]>('datasetGlobs') ?? ['**/*.jsonl'];
  const found = await vscode.workspace.findFiles(`{${[...globs, '**/*.jsonl'].join(',')}}`, '**/{node_modules,.git,.clinical-ft}/**', 500);
  const hint = method === 'dpo' ? /dpo|pref|pair/i : /sft|train/i;
  const items = found
    .map((u) => ({ label: path.basename(u.fsPath), description: vscode.workspace.asRelativePath(u), path: u.fsPath }))
    .sort((a, b) => Number(hint.test(b.description)) - Number(hint.test(a.description)) || a.description.localeCompare(b.description));
  const picked = await vscode.window.showQuickPick([...items, { label: BROWSE, description: 'a JSONL file elsewhere', path: '' }], {
    title: `Start ${method.toUpperCase()} run (1/4): dataset`,
    placeHolder: method === 'dpo' ? 'Preference pairs: {"prompt","chosen","rejected"} per line' : 'SFT records: prompt/completion, messages, text or alpaca',
    matchOnDescription: true,
    ignoreFocusOut: true,
  });
  if (!picked) return undefined;
  if (picked.path) return picked.path;
  const uris = await vscode.window.showOpenDialog({ canSelectMany: false, filters: { JSONL: ['jsonl'] }, openLabel: 'Use dataset' });
  return uris?.[0]?.fsPath;
}

/** Stops the flow on invalid data, pointing at the diagnostics; warnings (PHI) are shown but do not stop it. */
async function datasetIsUsable(svc: RunsService, file: string, method: 'sft' | 'dpo'): Promise<boolean> {
  if (!fs.existsSync(file)) {
    void vscode.window.showErrorMessage(`Clinical FT: dataset not found: ${file}`);
    return false;
  }
  const result = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Clinical FT: validating ${path.basename(file)}…` },
    // With clinicalFt.phiAsErrors, PHI findings are errors and block the run like any other defect.
    () => checkDataset(svc.extensionPath, file, method, { phiAsErrors: phiAsErrors(vscode.Uri.file(file)), execPath: configuredNodePath() }),
  );
  if (result.kind === 'valid') {
    if (result.warnings > 0) void vscode.window.showWarningMessage(`Clinical FT: ${path.basename(file)} is valid (${result.records} records) with ${result.warnings} warning(s), e.g. possible PHI — see the Problems panel.`);
    return true;
  }
  if (result.kind === 'unavailable') {
    // The trainer validates again before training, so a missing CLI validator only delays the message.
    svc.output.appendLine(`Dataset pre-check skipped for ${file}: ${result.reason}`);
    return true;
  }
  const first = result.errors[0];
  // Not awaited: the flow ends here, the message stays until the person acts on it.
  void vscode.window
    .showErrorMessage(
      `Clinical FT: ${path.basename(file)} has ${result.errors.length} error(s) for ${method.toUpperCase()}; fix them before training.${first ? ` First: ${describeIssue(file, first)}` : ''}`,
      'Open at error',
      'Show problems',
    )
    .then(async (choice) => {
      if (choice === 'Open at error') {
        const doc = await vscode.workspace.openTextDocument(file);
        const pos = new vscode.Position(Math.max(0, (first?.line ?? 1) - 1), Math.max(0, (first?.column ?? 1) - 1));
        await vscode.window.showTextDocument(doc, { selection: new vscode.Range(pos, pos) });
      } else if (choice === 'Show problems') {
        await vscode.commands.executeCommand('workbench.actions.view.problems');
      }
    });
  svc.output.appendLine(`Dataset ${file} is not valid for ${method.toUpperCase()}:`);
  for (const e of result.errors.slice(0, 20)) svc.output.appendLine(`  ${describeIssue(file, e)}`);
  return false;
}

async function pickModel(svc: RunsService): Promise<string | undefined> {
  const def = defaultModelFolder(svc.extensionPath);
  const items = [
    ...(def ? [{ label: `$(package) ${path.basename(def)}`, description: def, detail: 'Default base model', path: def }] : []),
    { label: BROWSE, description: 'a Hugging Face model folder (config.json, *.safetensors, tokenizer.json)', detail: undefined, path: '' },
  ];
  const picked = await vscode.window.showQuickPick(items, { title: 'Base model (2/4)', ignoreFocusOut: true });
  if (!picked) return undefined;
  if (picked.path) return picked.path;
  const uris = await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, openLabel: 'Use model folder' });
  const folder = uris?.[0]?.fsPath;
  if (folder && !isModelFolder(folder)) {
    void vscode.window.showErrorMessage(`Clinical FT: ${folder} has no config.json — pick a Hugging Face model folder.`);
    return undefined;
  }
  return folder;
}

/** undefined = no starting adapter; null = the person cancelled. */
async function pickAdapter(svc: RunsService, method: 'sft' | 'dpo'): Promise<string | undefined | null> {
  const adapters = svc.store
    .list()
    .filter((e) => e.view?.status === 'completed' && fs.existsSync(path.join(e.dir, 'adapter', 'adapter_config.json')))
    .map((e) => ({ label: `$(history) ${e.id}`, description: `${e.view?.method.toUpperCase()} · ${e.view?.dataset}`, path: path.join(e.dir, 'adapter') }));
  const items = [
    { label: '$(circle-slash) None', description: method === 'dpo' ? 'DPO on the base model' : 'fresh LoRA adapter', path: '' },
    ...adapters,
    { label: BROWSE, description: 'an adapter folder (PEFT format)', path: '?' },
  ];
  const picked = await vscode.window.showQuickPick(items, {
    title: 'Starting adapter (3/4, optional)',
    placeHolder: method === 'dpo' ? 'DPO usually starts from an SFT adapter' : 'Continue from an existing adapter, or none',
    ignoreFocusOut: true,
  });
  if (!picked) return null;
  if (picked.path === '') return undefined;
  if (picked.path !== '?') return picked.path;
  const uris = await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, openLabel: 'Use adapter' });
  return uris?.[0]?.fsPath ?? null;
}

const START = '$(play) Start training';
const SHOW_TOKENS = '$(symbol-key) Show training tokens…';
const EDIT_JSON = '$(json) Edit as JSON…';

/** The defaults, shown for review; picking a field edits it, "Edit as JSON" opens the whole config. */
async function review(svc: RunsService, initial: RunConfig): Promise<RunConfig | undefined> {
  let config = initial;
  for (;;) {
    const fields = reviewFields(config);
    const items: (vscode.QuickPickItem & { key?: string })[] = [
      { label: START, description: `${config.method.toUpperCase()} · ${path.basename(config.model)} · ${path.basename(config.data)}` },
      { label: EDIT_JSON, description: 'save as a .run.json, edit, then "Start run from config"' },
      { label: SHOW_TOKENS, description: `the tokens the first record feeds and trains at max length ${config.maxLength}` },
      { label: 'Settings', kind: vscode.QuickPickItemKind.Separator },
      ...fields.map((f) => ({ label: f.label, description: f.value || '—', detail: f.hint, key: f.key })),
    ];
    const picked = await vscode.window.showQuickPick(items, { title: 'Review and start (4/4)', placeHolder: 'Pick a setting to change it, or Start', ignoreFocusOut: true });
    if (!picked) return undefined;
    if (picked.label === START) return config;
    if (picked.label === SHOW_TOKENS) {
      const request: ShowTokensRequest = { file: config.data, model: config.model, maxLength: config.maxLength };
      await vscode.commands.executeCommand(SHOW_TRAINING_TOKENS, request);
      continue;
    }
    if (picked.label === EDIT_JSON) {
      await editAsJson(svc, config);
      return undefined;
    }
    const field = fields.find((f) => f.key === picked.key);
    if (!field) continue;
    const text = await vscode.window.showInputBox({
      title: field.label,
      prompt: field.hint,
      value: field.value,
      ignoreFocusOut: true,
      validateInput: (t) => {
        const r = applyReviewEdit(config, field.key, t);
        return r.ok ? undefined : r.message;
      },
    });
    if (text === undefined) continue;
    const r = applyReviewEdit(config, field.key, text);
    if (r.ok) config = r.config;
  }
}

/** Writes the resolved config next to the runs (…/configs/<name>.run.json) and opens it for editing. */
async function editAsJson(svc: RunsService, config: RunConfig): Promise<void> {
  const root = svc.store.root();
  if (!root) throw new Error('Open a workspace folder first.');
  const dir = path.join(path.dirname(root), 'configs');
  fs.mkdirSync(dir, { recursive: true });
  let file = path.join(dir, `${config.method}-${path.basename(config.data).replace(/\.jsonl$/, '')}.run.json`);
  for (let i = 2; fs.existsSync(file); i++) file = file.replace(/(-\d+)?\.run\.json$/, `-${i}.run.json`);
  fs.writeFileSync(file, `${JSON.stringify(config, null, 2)}\n`);
  await vscode.window.showTextDocument(vscode.Uri.file(file));
  void vscode.window.showInformationMessage(`Clinical FT: edit ${path.basename(file)}, then start it.`, 'Start now').then((choice) => {
    if (choice === 'Start now') void vscode.commands.executeCommand('clinicalFt.startRunFromConfig', vscode.Uri.file(file));
  });
}
