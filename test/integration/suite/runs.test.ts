// Runs: starting, watching, cancelling and resuming training from VS Code. Run folders are the source of
// truth, so the tree and dashboard are checked against folders written by a real trainer (when this build
// trains) and by a stand-in process that owns a run folder like a trainer started before a window reload.
import * as assert from 'node:assert/strict';
import * as cp from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { ui, eventually, within } from './ui';
import { trainerCliSync } from './trainerCli';
import { listRuns, readRun, runsRoot, startStandInTrainer, workspace, writeRunFolder } from './runFixtures';
import { writeTinyModel } from '../../fixtures/tinyModel';
import { alive } from '../../fixtures/processAlive';

const EXTENSION_ID = 'clinical-ft.clinical-ft';
type StartResult = { runId: string } | { refused: string } | undefined;

/** Palette → "Start SFT run" → pick tiny.sft.jsonl → validation → the base-model step. One attempt: no retries. */
async function startSftFlowToBaseModel(): Promise<void> {
  await ui.palette('Clinical FT: Start SFT run');
  await pickTinyDataset();
  await ui.pickStep('Base model', { timeoutMs: 60_000 });
}

async function pickTinyDataset(): Promise<void> {
  await ui.waitFor('.quick-input-widget .quick-input-title:has-text("dataset")');
  await ui.type('tiny.sft.jsonl');
  await ui.waitFor('.quick-input-list .monaco-list-row:has-text("tiny.sft.jsonl")');
  await ui.press('Enter');
}

/**
 * A validator that waits for the test: clinicalFt.nodePath pointing at a script that records its pid, then
 * blocks until released before it becomes Node. The start flow's dataset check runs through it.
 */
function gatedNode(): { nodePath: string; pid: () => number | undefined; release: () => void } {
  const dir = fs.mkdtempSync(path.join(workspace(), 'gated-node-'));
  const script = path.join(dir, 'node');
  const release = path.join(dir, 'release');
  fs.writeFileSync(script, `#!/bin/sh\necho $$ > "${dir}/pid"\nwhile [ ! -e "${release}" ]; do sleep 0.1; done\nexec "${process.execPath}" "$@"\n`, { mode: 0o755 });
  return {
    nodePath: script,
    pid: () => (fs.existsSync(path.join(dir, 'pid')) ? Number(fs.readFileSync(path.join(dir, 'pid'), 'utf8')) : undefined),
    release: () => fs.writeFileSync(release, ''),
  };
}

const setNodePath = (p: string | undefined) => vscode.workspace.getConfiguration('clinicalFt').update('nodePath', p, vscode.ConfigurationTarget.Global);
const quickInputOpen = async () => (await ui.query('.quick-input-widget:visible')).count > 0;

/** The quick input closes (its hide can trail the flow's end by a frame) and nothing reopens it. */
async function closedForGood(what: string): Promise<void> {
  try {
    await eventually(async () => !(await quickInputOpen()), 5_000, what);
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(await quickInputOpen(), false, what);
  } catch (e) {
    await ui.screenshot('runs-start-flow-not-closed');
    throw e;
  }
}

async function chartPoints(metric: string): Promise<number> {
  const a = await ui.attributes(`section.chart[data-metric="${metric}"]`, ['data-points'], { inWebview: true });
  return Number(a.values[0]?.['data-points'] ?? 0);
}

let trainerProbe: string | undefined;
/**
 * This build's trainer must answer `clinical-ft train --help`: a trainer that cannot (crash, hang, missing
 * bundle) fails the tests that train, it never skips them. Probed once, with room for a loaded machine.
 */
function assertTrainerTrains(extensionPath: string): void {
  trainerProbe ??= (() => {
    const r = trainerCliSync(extensionPath, ['train', '--help'], 120_000);
    return r.status === 0 ? '' : `clinical-ft train --help ${r.error ? `failed: ${r.error.message}` : `exited ${r.status ?? r.signal}`}: ${(r.stderr ?? '').slice(-800)}`;
  })();
  assert.equal(trainerProbe, '', trainerProbe);
}

/** A tiny model the test builds, made the default base model through the setting a user would change. */
async function useTinyModel(): Promise<string> {
  const dir = path.join(workspace(), 'tiny-model');
  if (!fs.existsSync(path.join(dir, 'config.json'))) await writeTinyModel(dir, { tokenizer: 'wordlevel' });
  await vscode.workspace.getConfiguration('clinicalFt').update('defaultModel', dir, vscode.ConfigurationTarget.Workspace);
  return dir;
}

function writeTinyDataset(): string {
  const data = path.join(workspace(), 'tiny.sft.jsonl');
  const rows = Array.from({ length: 8 }, (_, i) => JSON.stringify({ prompt: `patient presents with chest pain and fever ${i}`, completion: i % 2 ? 'admit' : 'follow up' }));
  fs.writeFileSync(data, rows.join('\n') + '\n');
  return data;
}

suite('runs', () => {
  let extensionPath = '';
  const children: cp.ChildProcess[] = [];

  suiteSetup(async () => {
    const ext = vscode.extensions.getExtension<{ extensionPath: string }>(EXTENSION_ID);
    assert.ok(ext);
    extensionPath = (await ext.activate()).extensionPath;
    await vscode.commands.executeCommand('workbench.view.extension.clinicalFt');
  });

  // A failed step must not leave a quick pick open for the next test.
  teardown(async () => {
    for (let i = 0; i < 3 && (await ui.query('.quick-input-widget:visible')).count > 0; i++) await ui.press('Escape');
  });

  suiteTeardown(() => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  });

  test('a dataset that cannot be validated is not trained on: the flow stops with a message (fail closed)', async () => {
    const data = writeTinyDataset();
    const before = listRuns();
    const cfg = () => vscode.workspace.getConfiguration('clinicalFt');
    // A trainer that cannot start: the pre-run validation is unavailable.
    await cfg().update('nodePath', path.join(workspace(), 'no-such-node'), vscode.ConfigurationTarget.Global);
    try {
      const started = vscode.commands.executeCommand<StartResult>('clinicalFt.startSftRun', vscode.Uri.file(data));
      const timedOut = new Promise<'still asking'>((r) => setTimeout(() => r('still asking'), 45_000));
      const result = await Promise.race([started, timedOut]);
      assert.equal(result, undefined, 'the flow ended instead of going on to the model picker');
      // The picker's hide may trail the flow's end by a moment.
      await eventually(async () => (await ui.query('.quick-input-widget:visible')).count === 0, 5_000, 'the picker to close');
      assert.deepEqual(listRuns(), before, 'no run was created');
      await vscode.commands.executeCommand('notifications.showList');
      await ui.waitFor('.notification-list-item:has-text("could not validate tiny.sft.jsonl")', { timeoutMs: 20_000 });
      await vscode.commands.executeCommand('notifications.clearAll');
    } finally {
      await cfg().update('nodePath', undefined, vscode.ConfigurationTarget.Global);
    }
  });

  test('a finished run folder shows in the tree with its progress, and the dashboard draws its curve', async () => {
    writeRunFolder('20261122-070000-sft', { status: 'completed', steps: 24, totalSteps: 24 });
    await vscode.commands.executeCommand('clinicalFt.runs.refresh');
    await ui.waitFor('.sidebar .monaco-list-row:has-text("SFT · fixture.sft.jsonl")', { timeoutMs: 20_000 });
    const row = await ui.query('.sidebar .monaco-list-row:has-text("tiny-fixture")');
    assert.match(row.texts.join('\n'), /completed · 24\/24 · loss 0\.\d+ · 1m 00s · tiny-fixture/);
    await vscode.commands.executeCommand('clinicalFt.runs.openDashboard', { kind: 'run', id: '20261122-070000-sft' });
    await ui.waitFor('section.chart[data-metric="loss"] canvas', { inWebview: true, timeoutMs: 30_000 });
    assert.equal(await chartPoints('loss'), 24, 'one point per step');
    const series = (await ui.attributes('section.chart[data-metric="loss"]', ['data-series'], { inWebview: true })).values[0]?.['data-series'] ?? '';
    assert.deepEqual(series.split('\n'), ['loss (raw)', 'loss (EMA 0.60)'], 'raw loss under its EMA');
    assert.equal(await chartPoints('lr'), 24);
    assert.equal(await chartPoints('grad_norm'), 24);
    const legend = await ui.query('.run[data-run="20261122-070000-sft"]', { inWebview: true });
    assert.match(legend.texts[0], /completed/);
    await ui.screenshot('runs-dashboard-fixture');
  });

  test('a run\'s children (metrics, log), its output channel, and Delete needs a confirmation', async () => {
    const id = '20261122-050000-sft';
    const dir = writeRunFolder(id, { status: 'completed', steps: 7, totalSteps: 7 });
    fs.mkdirSync(path.join(dir, 'checkpoints', 'step-7'), { recursive: true });
    await vscode.commands.executeCommand('clinicalFt.runs.refresh');
    const row = `.sidebar .monaco-list-row:has-text("7/7")`;
    await ui.waitFor(row, { timeoutMs: 20_000 });
    await ui.click(row);
    await ui.waitFor('.sidebar .monaco-list-row:has-text("Metrics: 7 lines")', { timeoutMs: 10_000 });
    await ui.waitFor('.sidebar .monaco-list-row:has-text("Checkpoints")');
    await ui.waitFor('.sidebar .monaco-list-row:has-text("trainer.log")');
    await ui.screenshot('runs-tree-children');
    await vscode.commands.executeCommand('clinicalFt.runs.showLog', { kind: 'run', id });
    await ui.waitFor(`.part.panel .view-lines:has-text("fixture run ${id}")`, { timeoutMs: 20_000 });
    // The workbench under test refuses modal dialogs, which is exactly "not confirmed": nothing is deleted.
    await vscode.commands.executeCommand('clinicalFt.runs.delete', { kind: 'run', id });
    assert.equal(fs.existsSync(path.join(dir, 'metrics.jsonl')), true, 'kept without a confirmation');
  });

  test('compare: a second run is overlaid from the dashboard; CSV and PNG exports are written', async () => {
    const sft = '20261122-070000-sft';
    const dpo = '20261122-060000-dpo';
    writeRunFolder(sft, { status: 'completed', steps: 24, totalSteps: 24 });
    writeRunFolder(dpo, { status: 'completed', steps: 10, totalSteps: 10, method: 'dpo' });
    await vscode.commands.executeCommand('clinicalFt.runs.refresh');
    await vscode.commands.executeCommand('clinicalFt.runs.openDashboard', { kind: 'run', id: sft });
    await ui.waitFor(`.run[data-run="${sft}"]`, { inWebview: true, timeoutMs: 30_000 });
    await ui.click('vscode-button:has-text("Compare with")', { inWebview: true });
    await ui.waitFor('.quick-input-widget .quick-input-title:has-text("Compare with runs")');
    await ui.type(dpo);
    await ui.click(`.quick-input-list .monaco-list-row:has-text("${dpo}")`);
    await ui.press('Enter');
    await ui.waitFor(`.run[data-run="${dpo}"]`, { inWebview: true, timeoutMs: 20_000 });
    assert.equal(await chartPoints('loss'), 24 + 10, 'both loss curves');
    assert.equal(await chartPoints('rewards'), 20, 'DPO rewards chosen + rejected appear for the DPO run');
    assert.equal(await chartPoints('accuracies'), 10);
    await ui.screenshot('runs-compare');
    const csv = path.join(runsRoot(), sft, `${sft}+${dpo}.metrics.csv`);
    await ui.click('vscode-button:has-text("Export CSV")', { inWebview: true });
    await ui.waitFor('.quick-input-widget:visible input');
    await ui.press('Enter');
    await eventually(() => fs.existsSync(csv), 20_000, 'the CSV file');
    const rows = fs.readFileSync(csv, 'utf8').trim().split('\n');
    assert.equal(rows.length, 1 + 24 + 10);
    assert.match(rows[0], /^run,step,epoch,time,.*loss.*rewards\/margins/);
    const png = path.join(runsRoot(), sft, `${sft}+${dpo}.png`);
    await eventually(async () => (await ui.query('.quick-input-widget:visible')).count === 0, 10_000, 'the save dialog to close');
    await ui.click('vscode-button:has-text("Export PNG")', { inWebview: true });
    await ui.waitFor('.quick-input-widget:visible input');
    await ui.press('Enter');
    await eventually(() => fs.existsSync(png) && fs.statSync(png).size > 1000, 20_000, 'the PNG file');
    assert.deepEqual([...fs.readFileSync(png).subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47], 'a PNG signature');
  });

  test('a run owned by a trainer this window did not start is reattached: the curve keeps growing, Cancel reaches it', async () => {
    const id = '20261122-075000-sft';
    const dir = writeRunFolder(id, { status: 'queued', steps: 3, totalSteps: 500 });
    const trainer = startStandInTrainer(dir, 3);
    children.push(trainer);
    await eventually(() => fs.existsSync(path.join(dir, 'trainer.lock')), 10_000, 'stand-in lock');
    await vscode.commands.executeCommand('clinicalFt.runs.refresh');
    await ui.waitFor(`.sidebar .monaco-list-row:has-text("/500")`, { timeoutMs: 20_000 });
    await vscode.commands.executeCommand('clinicalFt.runs.openDashboard', { kind: 'run', id });
    await ui.waitFor('section.chart[data-metric="loss"] canvas', { inWebview: true, timeoutMs: 30_000 });
    const first = await eventually(async () => (await chartPoints('loss')) || undefined, 20_000, 'first points');
    const later = await eventually(async () => {
      const n = await chartPoints('loss');
      return n >= first + 10 ? n : undefined;
    }, 30_000, 'the curve to grow');
    assert.ok(later > first);
    const status = await ui.query('#workbench\\.parts\\.statusbar :text-matches("SFT .*\\/500")');
    assert.ok(status.count > 0, 'status bar shows the running run');
    await ui.screenshot('runs-reattached-live');
    await vscode.commands.executeCommand('clinicalFt.runs.cancel', { kind: 'run', id });
    await eventually(() => readRun(id).status === 'cancelled', 20_000, 'cancelled status');
    await ui.waitFor(`.sidebar .monaco-list-row:has-text("cancelled")`, { timeoutMs: 20_000 });
  });

  test('a run whose trainer died (run.json still running, pid gone) is shown failed with a reason', async () => {
    const id = '20261122-071000-sft';
    writeRunFolder(id, { status: 'running', steps: 5, totalSteps: 50, pid: 2 ** 22 - 3 });
    await vscode.commands.executeCommand('clinicalFt.runs.refresh');
    await eventually(() => readRun(id).status === 'failed', 20_000, 'dead run fixed up');
    assert.match(readRun(id).error ?? '', /ended without finishing/);
    await ui.waitFor('.sidebar .monaco-list-row:has-text("failed · 5/50")', { timeoutMs: 20_000 });
  });

  test('Escape while the dataset is being validated ends the whole start: the validator is stopped, no later step appears, nothing starts', async () => {
    await useTinyModel();
    writeTinyDataset();
    const gate = gatedNode();
    await setNodePath(gate.nodePath);
    try {
      const before = listRuns();
      const flow = vscode.commands.executeCommand<StartResult>('clinicalFt.startSftRun');
      await pickTinyDataset();
      const pid = await eventually(() => gate.pid(), 30_000, 'the dataset check to start');
      await ui.press('Escape');
      assert.equal(await within(flow, 20_000, 'the start flow ending on Escape during validation'), undefined);
      await eventually(() => !alive(pid), 10_000, 'the validator of the abandoned start to be stopped');
      gate.release();
      await closedForGood('no step of the cancelled flow comes back');
      assert.deepEqual(listRuns(), before, 'nothing started');
    } finally {
      gate.release();
      await setNodePath(undefined);
    }
  });

  test('a second start while the first is validating replaces it: the first flow ends and never shows a step again', async () => {
    await useTinyModel();
    writeTinyDataset();
    const gate = gatedNode();
    await setNodePath(gate.nodePath);
    try {
      const before = listRuns();
      const first = vscode.commands.executeCommand<StartResult>('clinicalFt.startSftRun');
      await pickTinyDataset();
      const pid = await eventually(() => gate.pid(), 30_000, 'the dataset check to start');
      const second = vscode.commands.executeCommand<StartResult>('clinicalFt.startDpoRun');
      await ui.waitFor('.quick-input-widget .quick-input-title:has-text("Start DPO run (1/4): dataset")');
      assert.equal(await within(first, 20_000, 'the first flow ending when a second start begins'), undefined);
      await eventually(() => !alive(pid), 10_000, 'the first flow\'s validator to be stopped');
      gate.release();
      await new Promise((r) => setTimeout(r, 1500));
      const title = await ui.query('.quick-input-widget:visible .quick-input-title');
      assert.deepEqual(title.texts, ['Start DPO run (1/4): dataset'], 'the second flow keeps the screen');
      await ui.press('Escape');
      assert.equal(await within(second, 20_000, 'the second flow ending on Escape'), undefined);
      assert.deepEqual(listRuns(), before, 'nothing started');
    } finally {
      gate.release();
      await setNodePath(undefined);
    }
  });

  test('after a setting is edited in the review, a repeated Enter reopens that setting instead of starting training', async () => {
    await useTinyModel();
    writeTinyDataset();
    const before = listRuns();
    const flow = vscode.commands.executeCommand<StartResult>('clinicalFt.startSftRun');
    await pickTinyDataset();
    await ui.pickStep('Base model', { timeoutMs: 60_000 });
    await ui.press('Enter');
    await ui.pickStep('Starting adapter');
    await ui.press('Enter');
    await ui.waitFor('.quick-input-widget .quick-input-title:has-text("Review")');
    await ui.type('Steps');
    await ui.waitFor('.quick-input-list .monaco-list-row:has-text("optimizer steps")');
    await ui.press('Enter');
    await ui.waitFor('.quick-input-widget .quick-input-title:has-text("Steps")');
    await ui.press('Control+a');
    await ui.type('7');
    await ui.press('Enter');
    await ui.waitFor('.quick-input-widget .quick-input-title:has-text("Review")');
    const active = await ui.query('.quick-input-list .monaco-list-row.focused');
    assert.match(active.texts.join(' | '), /Steps/, 'the edited setting is the active row');
    await ui.press('Enter');
    await ui.waitFor('.quick-input-widget .quick-input-title:has-text("Steps")');
    assert.deepEqual(listRuns(), before, 'the repeated Enter did not start a run');
    await ui.press('Escape');
    assert.equal(await within(flow, 20_000, 'the flow ending on Escape in a setting'), undefined);
    await closedForGood('Escape in a setting ends the whole flow');
    assert.deepEqual(listRuns(), before, 'nothing started');
  });

  test('from the palette: start an SFT run with a tiny step count → it appears, completes, and the dashboard draws the curve', async function () {
    assertTrainerTrains(extensionPath);
    await useTinyModel();
    writeTinyDataset();
    const before = new Set(listRuns());
    await startSftFlowToBaseModel();
    await ui.press('Enter');
    await ui.pickStep('Starting adapter');
    await ui.press('Enter');
    await ui.waitFor('.quick-input-widget .quick-input-title:has-text("Review")');
    await ui.type('Steps');
    await ui.waitFor('.quick-input-list .monaco-list-row:has-text("optimizer steps")');
    await ui.press('Enter');
    await ui.waitFor('.quick-input-widget .quick-input-title:has-text("Steps")');
    await ui.press('Control+a');
    await ui.type('4');
    await ui.press('Enter');
    await ui.waitFor('.quick-input-widget .quick-input-title:has-text("Review")');
    await ui.type('Start training');
    await ui.press('Enter');
    const id = await eventually(() => listRuns().find((r) => !before.has(r)), 30_000, 'a new run folder');
    await ui.waitFor(`.sidebar .monaco-list-row:has-text("tiny.sft.jsonl")`, { timeoutMs: 30_000 });
    await eventually(() => ['completed', 'failed'].includes(readRun(id).status), 170_000, 'the run to end');
    assert.equal(readRun(id).status, 'completed', readRun(id).error);
    await ui.waitFor(`.sidebar .monaco-list-row:has-text("completed · 4/4")`, { timeoutMs: 20_000 });
    await eventually(async () => (await chartPoints('loss')) >= 4, 20_000, 'loss points in the dashboard');
    await ui.screenshot('runs-sft-completed');
  });

  test('"Edit as JSON" opens the resolved config; editing it and "Start run from config" runs it', async function () {
    assertTrainerTrains(extensionPath);
    await useTinyModel();
    writeTinyDataset();
    await startSftFlowToBaseModel();
    await ui.press('Enter');
    await ui.pickStep('Starting adapter');
    await ui.press('Enter');
    await ui.waitFor('.quick-input-widget .quick-input-title:has-text("Review")');
    await ui.type('Edit as JSON');
    await ui.press('Enter');
    const editor = await eventually(() => {
      const e = vscode.window.activeTextEditor;
      return e && e.document.fileName.endsWith('.run.json') ? e : undefined;
    }, 20_000, 'the .run.json editor');
    const config = JSON.parse(editor.document.getText());
    assert.equal(config.method, 'sft');
    assert.equal(path.basename(config.data), 'tiny.sft.jsonl');
    assert.equal(config.model, path.join(workspace(), 'tiny-model'), 'the default model comes from the clinicalFt.defaultModel setting');
    const edit = new vscode.WorkspaceEdit();
    edit.replace(editor.document.uri, new vscode.Range(0, 0, editor.document.lineCount, 0), JSON.stringify({ ...config, steps: 3, saveEvery: 1 }, null, 2) + '\n');
    await vscode.workspace.applyEdit(edit);
    const r = await vscode.commands.executeCommand<StartResult>('clinicalFt.startRunFromConfig');
    assert.ok(r && 'runId' in r, JSON.stringify(r));
    await eventually(() => ['completed', 'failed'].includes(readRun(r.runId).status), 120_000, 'the run to end');
    assert.equal(readRun(r.runId).status, 'completed', readRun(r.runId).error);
    assert.ok(fs.existsSync(path.join(runsRoot(), r.runId, 'checkpoints')), 'saveEvery from the edited JSON was used');
  });

  test('a DPO run started from a config draws rewards, margins and accuracies', async function () {
    assertTrainerTrains(extensionPath);
    const model = await useTinyModel();
    const data = path.join(workspace(), 'tiny.dpo.jsonl');
    const rows = Array.from({ length: 6 }, (_, i) => JSON.stringify({ prompt: `patient presents with chest pain ${i}`, chosen: 'admit', rejected: 'discharge' }));
    fs.writeFileSync(data, rows.join('\n') + '\n');
    const cfg = path.join(workspace(), 'tiny-dpo.run.json');
    fs.writeFileSync(cfg, JSON.stringify({ method: 'dpo', model, data, steps: 4, batchSize: 2 }));
    const r = await vscode.commands.executeCommand<StartResult>('clinicalFt.startRunFromConfig', vscode.Uri.file(cfg));
    assert.ok(r && 'runId' in r, JSON.stringify(r));
    await eventually(() => ['completed', 'failed'].includes(readRun(r.runId).status), 120_000, 'the DPO run to end');
    assert.equal(readRun(r.runId).status, 'completed', readRun(r.runId).error);
    await vscode.commands.executeCommand('clinicalFt.runs.openDashboard', { kind: 'run', id: r.runId });
    await ui.waitFor(`.run[data-run="${r.runId}"][data-status="completed"]`, { inWebview: true, timeoutMs: 20_000 });
    await eventually(async () => (await chartPoints('rewards')) >= 8, 20_000, 'rewards chosen + rejected points');
    assert.ok((await chartPoints('margins')) >= 4);
    assert.ok((await chartPoints('accuracies')) >= 4);
    await ui.screenshot('runs-dpo-dashboard');
  });

  test('Start preference run offers the four methods; KTO on a labeled file (ties and both-bad kept) trains and charts kl and margins', async function () {
    assertTrainerTrains(extensionPath);
    await useTinyModel();
    const data = path.join(workspace(), 'tiny.prefs.jsonl');
    const labels = ['A', 'B', 'tie', 'both_bad', 'A', 'B'];
    fs.writeFileSync(data, labels.map((label, i) => JSON.stringify({ prompt: `patient presents with chest pain ${i}`, chosen: 'admit', rejected: 'discharge', meta: { label } })).join('\n') + '\n');
    const before = new Set(listRuns());
    const flow = vscode.commands.executeCommand<StartResult>('clinicalFt.startPreferenceRun', vscode.Uri.file(data));
    await ui.waitFor('.quick-input-widget .quick-input-title:has-text("Start preference run: method")');
    const offered = await ui.query('.quick-input-list .monaco-list-row .label-name');
    for (const m of ['DPO', 'KTO', 'ORPO', 'SimPO']) assert.ok(offered.texts.map((t) => t.trim()).includes(m), `${m} offered: ${offered.texts.join(' | ')}`);
    assert.equal((await ui.query('.quick-input-list .monaco-list-row')).count, 4, 'four methods');
    await ui.type('KTO');
    await ui.press('Enter');
    await ui.pickStep('Base model', { timeoutMs: 60_000 });
    await ui.press('Enter');
    await ui.pickStep('Starting adapter');
    await ui.press('Enter');
    await ui.waitFor('.quick-input-widget .quick-input-title:has-text("Review")');
    // The review list is long (rendered rows only): filter to KTO's own row, then to Steps.
    await ui.type('Desirable');
    await ui.waitFor('.quick-input-list .monaco-list-row:has-text("Desirable weight")');
    await ui.press('Control+a');
    await ui.type('Steps');
    await ui.waitFor('.quick-input-list .monaco-list-row:has-text("optimizer steps")');
    await ui.press('Enter');
    await ui.waitFor('.quick-input-widget .quick-input-title:has-text("Steps")');
    await ui.press('Control+a');
    await ui.type('4');
    await ui.press('Enter');
    await ui.waitFor('.quick-input-widget .quick-input-title:has-text("Review")');
    await ui.type('Start training');
    await ui.press('Enter');
    const r = await within(flow, 60_000, 'the start to return');
    assert.ok(r && 'runId' in r, JSON.stringify(r));
    assert.ok(!before.has(r.runId));
    await eventually(() => ['completed', 'failed'].includes(readRun(r.runId).status), 170_000, 'the KTO run to end');
    assert.equal(readRun(r.runId).status, 'completed', readRun(r.runId).error);
    assert.equal((readRun(r.runId) as { config?: { method?: string } }).config?.method, 'kto');
    const log = fs.readFileSync(path.join(runsRoot(), r.runId, 'trainer.log'), 'utf8');
    assert.match(log, /6 desirable and 6 undesirable examples from 6 records \(1 ties as two desirable, 1 both bad as two undesirable\)/);
    await vscode.commands.executeCommand('clinicalFt.runs.openDashboard', { kind: 'run', id: r.runId });
    await ui.waitFor(`.run[data-run="${r.runId}"][data-status="completed"]`, { inWebview: true, timeoutMs: 20_000 });
    await eventually(async () => (await chartPoints('kl')) >= 4, 20_000, 'kl points');
    assert.ok((await chartPoints('margins')) >= 1);
    assert.equal((await ui.query('section.chart[data-metric="accuracies"]', { inWebview: true })).count, 0, 'no accuracy chart for KTO');
    await ui.screenshot('runs-kto-dashboard');
  });

  test('an invalid dataset stops the start before any run folder is made', async function () {
    assertTrainerTrains(extensionPath);
    const model = await useTinyModel();
    const bad = path.join(workspace(), 'broken.sft.jsonl');
    fs.writeFileSync(bad, '{"prompt":"patient presents with fever"}\n');
    const cfg = path.join(workspace(), 'broken.run.json');
    fs.writeFileSync(cfg, JSON.stringify({ method: 'sft', model, data: bad, steps: 2 }));
    const before = listRuns();
    const r = await vscode.commands.executeCommand<StartResult>('clinicalFt.startRunFromConfig', vscode.Uri.file(cfg));
    assert.equal(r, undefined);
    assert.deepEqual(listRuns(), before);
  });

  test('a trainer failure is recorded and shown with its reason', async function () {
    assertTrainerTrains(extensionPath);
    const data = writeTinyDataset();
    const cfg = path.join(workspace(), 'nomodel.run.json');
    // A model folder that exists (a missing one is refused before the run starts) but that no engine can load.
    const model = path.join(workspace(), 'no-such-model');
    fs.mkdirSync(model, { recursive: true });
    fs.writeFileSync(path.join(model, 'config.json'), JSON.stringify({ architectures: ['NoSuchForCausalLM'] }));
    fs.writeFileSync(cfg, JSON.stringify({ method: 'sft', model, data, steps: 2 }));
    const r = await vscode.commands.executeCommand<StartResult>('clinicalFt.startRunFromConfig', vscode.Uri.file(cfg));
    assert.ok(r && 'runId' in r, JSON.stringify(r));
    await eventually(() => fs.existsSync(path.join(runsRoot(), r.runId, 'run.json')) && readRun(r.runId).status === 'failed', 60_000, 'failed status');
    assert.match(readRun(r.runId).error ?? '', /no-such-model|config\.json|model/i);
    await ui.waitFor(`.sidebar .monaco-list-row:has-text("failed")`, { timeoutMs: 20_000 });
  });

  test('cancel mid-run → cancelled; resume → completes', async function () {
    assertTrainerTrains(extensionPath);
    const model = await useTinyModel();
    const data = writeTinyDataset();
    const cfg = path.join(workspace(), 'long.run.json');
    fs.writeFileSync(cfg, JSON.stringify({ method: 'sft', model, data, steps: 400, saveEvery: 2, batchSize: 2, maxLength: 64 }));
    const r = await vscode.commands.executeCommand<StartResult>('clinicalFt.startRunFromConfig', vscode.Uri.file(cfg));
    assert.ok(r && 'runId' in r, JSON.stringify(r));
    const id = r.runId;
    const metrics = path.join(runsRoot(), id, 'metrics.jsonl');
    await eventually(() => fs.existsSync(metrics) && fs.readFileSync(metrics, 'utf8').split('\n').length > 3, 150_000, 'a few steps');
    await vscode.commands.executeCommand('clinicalFt.runs.cancel', { kind: 'run', id });
    await eventually(() => !['running', 'queued'].includes(readRun(id).status), 60_000, 'the run to stop');
    assert.equal(readRun(id).status, 'cancelled', readRun(id).error);
    await ui.waitFor(`.sidebar .monaco-list-row:has-text("cancelled")`, { timeoutMs: 20_000 });
    const resumed = await vscode.commands.executeCommand<StartResult>('clinicalFt.runs.resume', { kind: 'run', id });
    assert.ok(resumed && 'runId' in resumed);
    await eventually(() => ['completed', 'failed'].includes(readRun(id).status), 170_000, 'the resumed run to end');
    assert.equal(readRun(id).status, 'completed', readRun(id).error);
    const steps = fs.readFileSync(metrics, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { step: number; loss?: number }).filter((r) => r.loss !== undefined).map((r) => r.step);
    assert.equal(steps.at(-1), 400, 'the resumed run reached the configured steps');
    assert.deepEqual(steps, [...new Set(steps)].sort((a, b) => a - b), 'no step repeated or lost order across cancel + resume');
    await eventually(async () => (await chartPoints('loss')) === steps.length, 20_000, 'the dashboard to show every step after the resume');
    await ui.screenshot('runs-resumed-completed');
  });
});
