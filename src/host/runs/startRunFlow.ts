import type { Method } from '../../core/preferences/methods';
import * as vscode from 'vscode';
import { SHOW_TRAINING_TOKENS, type ShowTokensRequest } from '../inspector/registerInspector';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { RunConfig } from '../../core/runConfig';
import { applyReviewEdit, parseRunConfigFile, reviewFields } from '../../core/runs/runDefaults';
import { checkDataset, describeIssue } from './datasetCheck';
import { phiAsErrors } from '../settings';
import { assertTrusted } from '../workspaceTrust';
import type { RunsService } from './runsService';
import { StartFlowSession } from './startFlowSession';
import { pickAdapter, pickDataset, pickModel, workspaceModelFolders } from './startPickers';
import { prepareReview, preflightFor, preflightItems, type ReviewBasis } from './reviewPreflight';
import { confirmTruncation } from './truncationGate';
import { ENGINE_KEY, ENGINE_LABELS, engineReviewRow, pickEngine } from './engineStep';

/**
 * "Start SFT run" / "Start DPO run": dataset (validated first), base model, optional starting adapter, then
 * the defaults for review. Escape at any step, validation included, ends the whole flow; nothing is written
 * before Start. One flow at a time: invoking a start again replaces the flow in progress (StartFlowSession).
 */
export async function startRunFlow(svc: RunsService, method: Method, datasetUri?: vscode.Uri, preset?: StartPreset): Promise<string | undefined> {
  assertTrusted(`Starting a ${method.toUpperCase()} run`);
  const flow = StartFlowSession.begin();
  let config: RunConfig | undefined;
  try {
    config = await chooseConfig(svc, flow, method, datasetUri, preset);
  } finally {
    flow.dispose();
  }
  return config ? launch(svc, config) : undefined;
}

/** A caller that already knows the base model and starting adapter (the improve flow) skips those two steps. */
export interface StartPreset {
  model: string;
  /** undefined: no starting adapter. */
  adapter: string | undefined;
}

async function chooseConfig(svc: RunsService, flow: StartFlowSession, method: Method, datasetUri?: vscode.Uri, preset?: StartPreset): Promise<RunConfig | undefined> {
  const models = workspaceModelFolders();
  const data = datasetUri?.scheme === 'file' ? datasetUri.fsPath : await pickDataset(flow, method);
  if (!data) return undefined;
  const checked = await flow.working(`Start ${method.toUpperCase()} run (1/4): validating ${path.basename(data)}…`, (token) => checkUsable(svc, data, method, token));
  if (!checked) return undefined;
  const model = preset ? preset.model : await pickModel(svc, flow, models);
  if (!model) return undefined;
  const adapter = preset ? preset.adapter : await pickAdapter(svc, flow, method, model);
  if (adapter === null) return undefined;
  const phi = { findings: checked.warnings, asErrors: phiAsErrors(vscode.Uri.file(data)) };
  const prepared = await prepareReview(svc, flow, method, { model, data, ...(adapter ? { adapter } : {}) }, phi);
  if (!prepared) return undefined;
  return review(svc, flow, prepared.config, prepared.basis);
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

/** Outside the interactive flow (config files, held-out data): a notification whose Cancel stops the check. */
function validateWithProgress(svc: RunsService, file: string, method: Method): Thenable<boolean> {
  return vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Clinical FT: validating ${path.basename(file)}…`, cancellable: true },
    (_progress, token) => datasetIsUsable(svc, file, method, token),
  );
}

async function datasetIsUsable(svc: RunsService, file: string, method: Method, token: vscode.CancellationToken): Promise<boolean> {
  return (await checkUsable(svc, file, method, token)) !== undefined;
}

/** Stops the flow on invalid data (undefined), pointing at the diagnostics; warnings (PHI) are counted but do not stop it. */
async function checkUsable(svc: RunsService, file: string, method: Method, token: vscode.CancellationToken): Promise<{ warnings: number } | undefined> {
  if (!fs.existsSync(file)) {
    void vscode.window.showErrorMessage(`Clinical FT: dataset not found: ${file}`);
    return undefined;
  }
  // Cancelling the flow kills the validator: nothing of an abandoned start keeps running.
  const abort = new AbortController();
  const sub = token.onCancellationRequested(() => abort.abort());
  // With clinicalFt.phiAsErrors, PHI findings are errors and block the run like any other defect.
  const result = await checkDataset(svc.children, file, method, { phiAsErrors: phiAsErrors(vscode.Uri.file(file)), signal: abort.signal }).finally(() => sub.dispose());
  if (token.isCancellationRequested) return undefined;
  if (result.kind === 'valid') {
    if (result.warnings > 0) void vscode.window.showWarningMessage(`Clinical FT: ${path.basename(file)} is valid (${result.records} records) with ${result.warnings} warning(s), e.g. possible PHI — see the Problems panel.`);
    return { warnings: result.warnings };
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
    return undefined;
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
  return undefined;
}

const START = '$(play) Start training';
const SHOW_TOKENS = '$(symbol-key) Show training tokens…';
const EDIT_JSON = '$(json) Edit as JSON…';

/**
 * The defaults, shown for review; picking a field edits it, "Edit as JSON" opens the whole config. After an
 * edit the edited field stays the active row, so a repeated Enter reopens it instead of starting a run.
 */
async function review(svc: RunsService, flow: StartFlowSession, initial: RunConfig, basis: ReviewBasis): Promise<RunConfig | undefined> {
  let config = initial;
  let lastKey: string | undefined;
  for (;;) {
    const fields = reviewFields(config);
    const preflight = preflightFor(config, basis);
    const items: (vscode.QuickPickItem & { key?: string })[] = [
      { label: START, description: `${config.method.toUpperCase()} · ${ENGINE_LABELS[config.engine]} · ${path.basename(config.model)} · ${path.basename(config.data)}${preflight.mustAccept ? ' · answers would be cut' : ''}` },
      { label: EDIT_JSON, description: 'save as a .run.json, edit, then "Start run from config"' },
      { label: SHOW_TOKENS, description: `the tokens the first record feeds and trains at max length ${config.maxLength}` },
      { label: 'Pre-flight', kind: vscode.QuickPickItemKind.Separator },
      ...preflightItems(preflight),
      { label: 'Settings', kind: vscode.QuickPickItemKind.Separator },
      ...(await engineReviewRow(config)),
      ...fields.map((f) => ({ label: f.label, description: f.value || '—', detail: f.hint, key: f.key })),
    ];
    const edited = lastKey;
    const picked = await flow.choose({ title: 'Review and start (4/4)', placeholder: 'Pick a setting to change it, or Start', active: (i) => i.key !== undefined && i.key === edited }, items);
    if (!picked) return undefined;
    if (picked.label === START) {
      if (!preflight.mustAccept) return config;
      const answer = await confirmTruncation(flow, preflight, config, basis.facts);
      if (answer === undefined) return undefined;
      if (answer === 'start') return config;
      if (typeof answer === 'number') {
        const r = applyReviewEdit(config, 'maxLength', String(answer));
        if (r.ok) config = r.config;
        lastKey = 'maxLength';
      }
      continue;
    }
    if (picked.label === SHOW_TOKENS) {
      const request: ShowTokensRequest = { file: config.data, model: config.model, maxLength: config.maxLength };
      await vscode.commands.executeCommand(SHOW_TRAINING_TOKENS, request);
      continue;
    }
    if (picked.label === EDIT_JSON) {
      await editAsJson(svc, config);
      return undefined;
    }
    if (picked.key === ENGINE_KEY) {
      const chosen = await pickEngine(flow, config);
      if (!chosen) return undefined;
      config = chosen;
      lastKey = ENGINE_KEY;
      continue;
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
