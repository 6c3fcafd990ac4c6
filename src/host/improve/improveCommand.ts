import * as vscode from 'vscode';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { IMPROVE_STEP_LABELS, IMPROVE_STEPS, nextStep, progressSummary, recordStep, stepViews, labelCount, type ImproveFacts, type ImproveState, type ImproveStep, type StepOutput, type StepView } from '../../core/improve/improveState';
import { readImproveState, writeImproveState } from '../../core/node/improveFiles';
import { improveFacts } from './improveProgress';
import { evalCandidates } from '../../core/compare/comparePlan';
import { exportFileName, type ExportSummary } from '../../core/labels/exportPairs';
import { parsePrefsText } from '../../core/labels/prefsRecord';
import { startsFromSft } from '../../core/preferences/methods';
import { RUN_FILES } from '../../core/runFolder';
import type { PairGenerationSummary } from '../../core/labels/candidatePairs';
import type { RunsService } from '../runs/runsService';
import type { RunsNode } from '../runs/runsTree';
import type { RunEntry } from '../runs/runStore';
import { pickPromptsFile } from '../labeling/generationPickers';
import { pickPreferenceMethod } from '../runs/startPreferenceRun';
import { refuseUntrusted } from '../workspaceTrust';
import { resolveInWorkspace } from '../workspacePath';

/** Arguments a test (or a link) can pass; a person gets quick picks instead. */
export interface ImproveArgs {
  prompts?: string;
  maxNewTokens?: number;
}

/** The steps this invocation finished, in order, and the state saved after them; undefined when nothing was picked. */
type Outcome = { done: ImproveStep[]; state: ImproveState } | undefined;

/**
 * "Improve with preferences…": from a finished SFT run, generate candidates with its adapter → label them →
 * export → train a preference method from the adapter → compare with the SFT run on the held-out split.
 * Each step is the existing command; this flow only passes one step's output to the next and remembers,
 * in improve.json of the SFT run, where it got to — so labeling can span days.
 */
export async function improveWithPreferences(svc: RunsService, target?: RunsNode | string, given?: unknown): Promise<Outcome> {
  // From the Runs view the second argument is the selection (an array of nodes), not arguments.
  const raw = given && typeof given === 'object' && !Array.isArray(given) ? (given as Record<string, unknown>) : {};
  const args: ImproveArgs = {
    ...(typeof raw.prompts === 'string' ? { prompts: raw.prompts } : {}),
    ...(typeof raw.maxNewTokens === 'number' ? { maxNewTokens: raw.maxNewTokens } : {}),
  };
  if (refuseUntrusted('Improving a run with preferences', 'it samples from a model and trains in local processes on files from this workspace')) return undefined;
  await svc.store.refresh(true);
  const id = typeof target === 'string' ? target : target?.id ?? (await pickSftRun(svc));
  if (!id) return undefined;
  const run = svc.store.get(id);
  const problem = unusable(run);
  if (problem || !run) {
    void vscode.window.showErrorMessage(`Clinical FT: cannot improve ${id} with preferences — ${problem ?? 'no such run'}.`);
    return undefined;
  }
  const read = readImproveState(run.dir);
  if (!read.ok) void vscode.window.showWarningMessage(`Clinical FT: ${read.message}. The improve flow of ${id} starts over; labels already made stay in their pairs file.`);
  let state = read.state;
  const fresh = !read.ok || read.fresh;

  let step: ImproveStep | undefined = await pickStep(id, state, improveFacts(run, state), fresh);
  if (!step) return undefined;
  const finished: ImproveStep[] = [];
  // A step that finishes hands its output to the next where no person is needed in between; one that is
  // cancelled or fails (or waits for a person, as labeling does) ends this invocation with the state as it was.
  while (step) {
    const done = await runStep(svc, run, state, step, args);
    if (!done) break;
    try {
      writeImproveState(run.dir, done.state);
    } catch (e) {
      void vscode.window.showErrorMessage(`Clinical FT: could not save the improve flow's progress in ${run.dir}: ${e instanceof Error ? e.message : String(e)}`);
      break;
    }
    state = done.state;
    finished.push(step);
    step = done.then;
  }
  return { done: finished, state };
}

/** Why a run cannot start the flow, or undefined. */
function unusable(run: RunEntry | undefined): string | undefined {
  if (!run?.record) return run?.readError ?? 'its run.json is unreadable';
  if (run.record.config.method !== 'sft') return `it is a ${run.record.config.method.toUpperCase()} run; the flow starts from an SFT run`;
  if (run.view?.status !== 'completed') return `it is ${run.view?.status ?? 'not finished'}; the flow starts from a completed run`;
  if (!fs.existsSync(path.join(run.dir, RUN_FILES.adapter, 'adapter_config.json'))) return 'its adapter folder is missing';
  return undefined;
}

async function pickSftRun(svc: RunsService): Promise<string | undefined> {
  const runs = svc.store.list().filter((e) => !unusable(e));
  if (runs.length === 0) {
    void vscode.window.showInformationMessage('Clinical FT: no completed SFT run with an adapter yet — train one first ("Start SFT run").');
    return undefined;
  }
  const items = runs.map((e) => {
    const read = readImproveState(e.dir);
    const started = read.ok && !read.fresh;
    return { label: `$(history) ${e.id}`, description: started ? progressSummary(read.state, improveFacts(e, read.state)) : 'not started', detail: `${e.view?.dataset} · ${e.view?.model}`, id: e.id, started };
  });
  // Flows in progress first: coming back days later is the common case.
  items.sort((a, b) => Number(b.started) - Number(a.started));
  const picked = await vscode.window.showQuickPick(items, { title: 'Improve with preferences: pick a finished SFT run', matchOnDescription: true, ignoreFocusOut: true });
  return picked?.id;
}

type StepItem = vscode.QuickPickItem & { step: ImproveStep; view: StepView };

/** The steps with the done ones ticked and the next one selected; any step can be (re)done once its input exists. */
async function pickStep(id: string, state: ImproveState, f: ImproveFacts, fresh: boolean): Promise<ImproveStep | undefined> {
  const views = stepViews(state, f);
  const next = nextStep(views);
  const qp = vscode.window.createQuickPick<StepItem>();
  qp.title = fresh ? `Improve ${id} with preferences` : `Continue improving ${id}: ${progressSummary(state, f)}`;
  qp.placeholder = 'Enter runs the selected step; done steps can be redone';
  qp.ignoreFocusOut = true;
  qp.items = views.map((v, i) => ({
    label: `${v.done ? '$(pass-filled)' : v.step === next ? '$(arrow-right)' : '$(circle-large-outline)'} ${i + 1}. ${IMPROVE_STEP_LABELS[v.step]}`,
    description: `${v.done ? 'done · ' : ''}${v.detail}`,
    step: v.step,
    view: v,
  }));
  qp.activeItems = qp.items.filter((i) => i.step === next);
  return new Promise((resolve) => {
    let settled = false;
    qp.onDidAccept(() => {
      const picked = qp.activeItems[0] ?? qp.selectedItems[0];
      if (!picked) return;
      if (!picked.view.ready) {
        const before = IMPROVE_STEPS[IMPROVE_STEPS.indexOf(picked.step) - 1];
        void vscode.window.showInformationMessage(`Clinical FT: "${IMPROVE_STEP_LABELS[picked.step]}" needs step ${IMPROVE_STEPS.indexOf(before) + 1} first (${IMPROVE_STEP_LABELS[before].toLowerCase()}).`);
        return;
      }
      settled = true;
      resolve(picked.step);
      qp.hide();
    });
    qp.onDidHide(() => {
      if (!settled) resolve(undefined);
      qp.dispose();
    });
    qp.show();
  });
}

type StepDone = { state: ImproveState; then?: ImproveStep };

async function runStep(svc: RunsService, run: RunEntry, state: ImproveState, step: ImproveStep, args: ImproveArgs): Promise<StepDone | undefined> {
  const record = (out: StepOutput, then?: ImproveStep): StepDone => ({ state: recordStep(state, out), ...(then ? { then } : {}) });
  const config = run.record!.config;
  switch (step) {
    case 'generate': {
      const before = state.pairs ? improveFacts(run, state).labels : undefined;
      if (before && before.labeled > 0) {
        // New candidates mean a new pairs file: the labels made so far stay in the old one, unused by this flow.
        const answer = await vscode.window.showWarningMessage(
          `Generate new candidates for ${run.id}? The ${before.labeled} label(s) in ${path.basename(state.pairs!)} stay in that file, but the flow continues with the new pairs.`,
          { modal: true },
          'Generate new candidates',
        );
        if (answer !== 'Generate new candidates') return undefined;
      }
      // The base model and adapter come from the SFT run: only the prompts are asked for.
      const prompts = args.prompts ?? (await pickPromptsFile(`Improve ${run.id}: prompts to generate two candidates for`));
      if (!prompts) return undefined;
      const r = await vscode.commands.executeCommand<(PairGenerationSummary & { out: string; error?: string }) | undefined>('clinicalFt.generateCandidatePairs', {
        prompts,
        model: resolveInWorkspace(config.model),
        adapter: path.join(run.dir, RUN_FILES.adapter),
        noOpen: true,
        ...(args.maxNewTokens ? { maxNewTokens: args.maxNewTokens } : {}),
      });
      // A cancelled or failed generation leaves the flow at this step (what was written stays on disk).
      if (!r || r.error || r.cancelled || r.written === 0) return undefined;
      return record({ step: 'generate', prompts, pairs: r.out }, 'label');
    }
    case 'label': {
      await openLabeler(state.pairs!);
      const f = improveFacts(run, state);
      void vscode.window.showInformationMessage(
        `Clinical FT: ${f.labels ? labelCount(f.labels) : 'label the pairs'} in ${path.basename(state.pairs!)}. Stop any time: "Improve with preferences…" on ${run.id} continues where you left off.`,
      );
      return undefined;
    }
    case 'export': {
      const pairs = vscode.Uri.file(state.pairs!);
      // The export trains a model: it is taken from the labels as saved, so what was trained on is on disk.
      const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === pairs.toString());
      if (open?.isDirty) await open.save();
      const ours = state.exported !== undefined && path.resolve(state.exported) === path.resolve(exportFileName(state.pairs!));
      const r = await vscode.commands.executeCommand<{ out: string; summary: ExportSummary } | undefined>('clinicalFt.exportLabeledPairs', pairs, { quiet: true, overwrite: ours });
      if (!r?.out) return undefined;
      return record({ step: 'export', exported: r.out }, 'train');
    }
    case 'train': {
      // A second run while the first still trains is allowed (another method, say), but never by a slip of Enter.
      const previous = state.preferenceRun ? svc.store.get(state.preferenceRun) : undefined;
      if (previous?.alive) {
        const answer = await vscode.window.showWarningMessage(
          `${state.method?.toUpperCase() ?? 'The preference'} run ${previous.id} from ${run.id} is still training. Start another preference run? The flow then follows the new one.`,
          { modal: true },
          'Start another run',
        );
        if (answer !== 'Start another run') return undefined;
      }
      const method = await pickPreferenceMethod();
      if (!method || method === 'sft') return undefined;
      // KTO trains on the labeled file itself, so ties and both-bad pairs count too (as the export's own "Start KTO run" does).
      const data = method === 'kto' ? state.pairs! : state.exported!;
      const adapter = startsFromSft(method) ? path.join(run.dir, RUN_FILES.adapter) : undefined;
      const r = await svc.startRun(method, vscode.Uri.file(data), { model: resolveInWorkspace(config.model), adapter });
      if (!r || !('runId' in r)) return undefined;
      void vscode.window.showInformationMessage(`Clinical FT: ${method.toUpperCase()} run ${r.runId} started from ${run.id}. When it completes, "Improve with preferences…" on ${run.id} compares the two.`);
      return record({ step: 'train', method, preferenceRun: r.runId });
    }
    case 'compare': {
      const dataset = await heldOutFile(run);
      if (!dataset) return undefined;
      const { compareRunIds } = await import('../compare/compareCommand');
      const panel = await compareRunIds(vscode.Uri.file(svc.extensionPath), svc.children, [run.id, state.preferenceRun!], dataset);
      if (!panel) return undefined;
      return record({ step: 'compare', dataset });
    }
  }
}

/** The SFT run's held-out split (its --eval-data, else the eval file beside its training file), else asked. */
async function heldOutFile(run: RunEntry): Promise<string | undefined> {
  const c = run.record!.config;
  const found = evalCandidates([{ id: run.id, method: c.method, model: c.model, data: c.data, ...(c.evalData ? { evalData: c.evalData } : {}) }])
    .map(resolveInWorkspace)
    .find((f) => fs.existsSync(f));
  if (found) return found;
  const picked = await vscode.window.showOpenDialog({ title: 'Held-out dataset to compare on', canSelectMany: false, filters: { JSONL: ['jsonl'] }, openLabel: 'Compare on it' });
  return picked?.[0]?.fsPath;
}

/** Opens the labeler on the first unlabeled pair, so a person coming back starts where they stopped. */
async function openLabeler(pairs: string): Promise<void> {
  const uri = vscode.Uri.file(pairs);
  const doc = await vscode.workspace.openTextDocument(uri);
  const first = parsePrefsText(doc.getText()).find((l) => l.kind === 'pair' && l.label === undefined);
  await vscode.commands.executeCommand('clinicalFt.labels.openSideBySide', uri, first?.line ?? 0);
}
