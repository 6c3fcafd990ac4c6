import type { Method } from '../../core/preferences/methods';
import * as vscode from 'vscode';
import { SHOW_TRAINING_TOKENS, type ShowTokensRequest } from '../inspector/registerInspector';
import { defaultModelFolder } from '../modelFolder';
import { isModelFolder } from '../../core/node/modelFolder';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { RunConfig } from '../../core/runConfig';
import { applyReviewEdit, defaultRunConfig, parseRunConfigFile, reviewFields } from '../../core/runs/runDefaults';
import { checkDataset, describeIssue } from './datasetCheck';
import { phiAsErrors } from '../settings';
import { assertTrusted } from '../workspaceTrust';
import type { RunsService } from './runsService';
import { StartFlowSession } from './startFlowSession';
import { adapterHints, datasetNameHint, datasetPlaceholder } from '../../core/preferences/startHints';

const BROWSE = '$(folder-opened) Choose…';

/**
 * "Start SFT run" / "Start DPO run": dataset (validated first), base model, optional starting adapter, then
 * the defaults for review. Escape at any step, validation included, ends the whole flow; nothing is written
 * before Start. One flow at a time: invoking a start again replaces the flow in progress (StartFlowSession).
 */
export async function startRunFlow(svc: RunsService, method: Method, datasetUri?: vscode.Uri): Promise<string | undefined> {
  assertTrusted(`Starting a ${method.toUpperCase()} run`);
  const flow = StartFlowSession.begin();
  let config: RunConfig | undefined;
  try {
    config = await chooseConfig(svc, flow, method, datasetUri);
  } finally {
    flow.dispose();
  }
  return config ? launch(svc, config) : undefined;
}

async function chooseConfig(svc: RunsService, flow: StartFlowSession, method: Method, datasetUri?: vscode.Uri): Promise<RunConfig | undefined> {
  const data = datasetUri?.scheme === 'file' ? datasetUri.fsPath : await pickDataset(flow, method);
  if (!data) return undefined;
  const usable = await flow.working(`Start ${method.toUpperCase()} run (1/4): validating ${path.basename(data)}…`, (token) => datasetIsUsable(svc, data, method, token));
  if (!usable) return undefined;
  const model = await pickModel(svc, flow);
  if (!model) return undefined;
  const adapter = await pickAdapter(svc, flow, method);
  if (adapter === null) return undefined;
  return review(svc, flow, defaultRunConfig(method, { model, data, adapter }));
}

/** "Start run from config": a `*.run.json` (bare config or a run folder's run.json). */
export async function startFromConfigFile(svc: RunsService, uri?: vscode.Uri): Promise<string | undefined> {
  assertTrusted('Starting a training run');
  // The start asked for last wins: an interactive flow still open must not start a second run later.
  StartFlowSession.begin().dispose();
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
  // As the schema says: relative paths mean "in the workspace folder" (a config file elsewhere: next to it).
  const config = absolutize(parsed.config, vscode.workspace.getWorkspaceFolder(vscode.Uri.file(file))?.uri.fsPath ?? path.dirname(file));
  const missing = missingPaths(config);
  if (missing.length) {
    void vscode.window.showErrorMessage(`Clinical FT: ${path.basename(file)} names ${missing.map(([field, p]) => `${field} ${p}`).join(' and ')}, which does not exist (relative paths resolve against the workspace folder).`);
    return undefined;
  }
  if (!(await validateWithProgress(svc, config.data, config.method))) return undefined;
  return launch(svc, config);
}

async function launch(svc: RunsService, config: RunConfig): Promise<string | undefined> {
  // Held-out data is read by the trainer too: it passes the same checks as the training data.
  if (config.evalData && !(await validateWithProgress(svc, config.evalData, config.method))) return undefined;
  // The trainer gates PHI itself as run.json records it, so a resume or a CLI rerun of this run gates alike.
  const gated: RunConfig = { ...config, phiAsErrors: config.phiAsErrors === true || phiAsErrors(vscode.Uri.file(config.data)) };
  const id = await svc.manager.start(gated, (created) => svc.expectRun(created));
  svc.followNewRun(id);
  return id;
}

function absolutize(c: RunConfig, base: string): RunConfig {
  const abs = (p: string | undefined) => (p === undefined || path.isAbsolute(p) ? p : path.resolve(base, p));
  return { ...c, model: abs(c.model)!, data: abs(c.data)!, evalData: abs(c.evalData), adapter: abs(c.adapter) };
}

/** The config's paths that do not exist, as [field, resolved path]. */
function missingPaths(c: RunConfig): [string, string][] {
  return (['model', 'data', 'evalData', 'adapter'] as const).flatMap((field) => {
    const p = c[field];
    return p !== undefined && !fs.existsSync(p) ? [[field, p] as [string, string]] : [];
  });
}

async function datasetItems(method: Method): Promise<{ label: string; description: string; path: string }[]> {
  const globs = vscode.workspace.getConfiguration('clinicalFt').get<string[]>('datasetGlobs') ?? ['**/*.jsonl'];
  const found = await vscode.workspace.findFiles(`{${[...globs, '**/*.jsonl'].join(',')}}`, '**/{node_modules,.git,.clinical-ft}/**', 500);
  const hint = datasetNameHint(method);
  const items = found
    .map((u) => ({ label: path.basename(u.fsPath), description: vscode.workspace.asRelativePath(u), path: u.fsPath }))
    .sort((a, b) => Number(hint.test(b.description)) - Number(hint.test(a.description)) || a.description.localeCompare(b.description));
  return [...items, { label: BROWSE, description: 'a JSONL file elsewhere', path: '' }];
}

async function pickDataset(flow: StartFlowSession, method: Method): Promise<string | undefined> {
  const picked = await flow.choose(
    {
      title: `Start ${method.toUpperCase()} run (1/4): dataset`,
      placeholder: datasetPlaceholder(method),
      matchOnDescription: true,
    },
    datasetItems(method),
  );
  if (!picked) return undefined;
  if (picked.path) return picked.path;
  const uris = await flow.aside(() => vscode.window.showOpenDialog({ canSelectMany: false, filters: { JSONL: ['jsonl'] }, openLabel: 'Use dataset' }));
  return uris?.[0]?.fsPath;
}

/** Outside the interactive flow (config files, held-out data): a notification whose Cancel stops the check. */
function validateWithProgress(svc: RunsService, file: string, method: Method): Thenable<boolean> {
  return vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Clinical FT: validating ${path.basename(file)}…`, cancellable: true },
    (_progress, token) => datasetIsUsable(svc, file, method, token),
  );
}

/** Stops the flow on invalid data, pointing at the diagnostics; warnings (PHI) are shown but do not stop it. */
async function datasetIsUsable(svc: RunsService, file: string, method: Method, token: vscode.CancellationToken): Promise<boolean> {
  if (!fs.existsSync(file)) {
    void vscode.window.showErrorMessage(`Clinical FT: dataset not found: ${file}`);
    return false;
  }
  // Cancelling the flow kills the validator: nothing of an abandoned start keeps running.
  const abort = new AbortController();
  const sub = token.onCancellationRequested(() => abort.abort());
  // With clinicalFt.phiAsErrors, PHI findings are errors and block the run like any other defect.
  const result = await checkDataset(svc.children, file, method, { phiAsErrors: phiAsErrors(vscode.Uri.file(file)), signal: abort.signal }).finally(() => sub.dispose());
  if (token.isCancellationRequested) return false;
  if (result.kind === 'valid') {
    if (result.warnings > 0) void vscode.window.showWarningMessage(`Clinical FT: ${path.basename(file)} is valid (${result.records} records) with ${result.warnings} warning(s), e.g. possible PHI — see the Problems panel.`);
    return true;
  }
  if (result.kind === 'unavailable') {
    // Fail closed: data that could not be checked (errors, PHI) is not trained on.
    svc.output.appendLine(`Dataset check failed for ${file}: ${result.reason}`);
    void vscode.window
      .showErrorMessage(
        `Clinical FT: could not validate ${path.basename(file)} (${result.reason.split('\n')[0]}), so the run was not started. Check the trainer's Node.js (setting clinicalFt.nodePath, "Show environment"), or run \`clinical-ft validate ${path.basename(file)}\` in a terminal, then start again.`,
        'Show environment',
      )
      .then((choice) => choice && vscode.commands.executeCommand('clinicalFt.showEnvironment'));
    return false;
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

async function pickModel(svc: RunsService, flow: StartFlowSession): Promise<string | undefined> {
  const def = defaultModelFolder(svc.extensionPath);
  const items = [
    ...(def ? [{ label: `$(package) ${path.basename(def)}`, description: def, detail: 'Default base model', path: def }] : []),
    { label: BROWSE, description: 'a Hugging Face model folder (config.json, *.safetensors, tokenizer.json)', detail: undefined, path: '' },
  ];
  const picked = await flow.choose({ title: 'Base model (2/4)' }, items);
  if (!picked) return undefined;
  if (picked.path) return picked.path;
  const uris = await flow.aside(() => vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, openLabel: 'Use model folder' }));
  const folder = uris?.[0]?.fsPath;
  if (folder && !isModelFolder(folder)) {
    void vscode.window.showErrorMessage(`Clinical FT: ${folder} has no config.json — pick a Hugging Face model folder.`);
    return undefined;
  }
  return folder;
}

/** undefined = no starting adapter; null = the person cancelled. */
async function pickAdapter(svc: RunsService, flow: StartFlowSession, method: Method): Promise<string | undefined | null> {
  const adapters = svc.store
    .list()
    .filter((e) => e.view?.status === 'completed' && fs.existsSync(path.join(e.dir, 'adapter', 'adapter_config.json')))
    .map((e) => ({ label: `$(history) ${e.id}`, description: `${e.view?.method.toUpperCase()} · ${e.view?.dataset}`, path: path.join(e.dir, 'adapter') }));
  const items = [
    { label: '$(circle-slash) None', description: adapterHints(method).none, path: '' },
    ...adapters,
    { label: BROWSE, description: 'an adapter folder (PEFT format)', path: '?' },
  ];
  const picked = await flow.choose(
    { title: 'Starting adapter (3/4, optional)', placeholder: adapterHints(method).placeholder },
    items,
  );
  if (!picked) return null;
  if (picked.path === '') return undefined;
  if (picked.path !== '?') return picked.path;
  const uris = await flow.aside(() => vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, openLabel: 'Use adapter' }));
  return uris?.[0]?.fsPath ?? null;
}

const START = '$(play) Start training';
const SHOW_TOKENS = '$(symbol-key) Show training tokens…';
const EDIT_JSON = '$(json) Edit as JSON…';

/**
 * The defaults, shown for review; picking a field edits it, "Edit as JSON" opens the whole config. After an
 * edit the edited field stays the active row, so a repeated Enter reopens it instead of starting a run.
 */
async function review(svc: RunsService, flow: StartFlowSession, initial: RunConfig): Promise<RunConfig | undefined> {
  let config = initial;
  let lastKey: string | undefined;
  for (;;) {
    const fields = reviewFields(config);
    const items: (vscode.QuickPickItem & { key?: string })[] = [
      { label: START, description: `${config.method.toUpperCase()} · ${path.basename(config.model)} · ${path.basename(config.data)}` },
      { label: EDIT_JSON, description: 'save as a .run.json, edit, then "Start run from config"' },
      { label: SHOW_TOKENS, description: `the tokens the first record feeds and trains at max length ${config.maxLength}` },
      { label: 'Settings', kind: vscode.QuickPickItemKind.Separator },
      ...fields.map((f) => ({ label: f.label, description: f.value || '—', detail: f.hint, key: f.key })),
    ];
    const edited = lastKey;
    const picked = await flow.choose({ title: 'Review and start (4/4)', placeholder: 'Pick a setting to change it, or Start', active: (i) => i.key !== undefined && i.key === edited }, items);
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
    const current = config;
    const text = await flow.input({
      title: field.label,
      prompt: field.hint,
      value: field.value,
      validate: (t) => {
        const r = applyReviewEdit(current, field.key, t);
        return r.ok ? undefined : r.message;
      },
    });
    if (text === undefined) return undefined;
    const r = applyReviewEdit(config, field.key, text);
    if (r.ok) config = r.config;
    lastKey = field.key;
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
