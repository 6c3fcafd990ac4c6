// The Start run flow guides a newcomer: pickers list what fits the method (train splits first, eval splits and
// defect files never preselected), search paths and formats, name the sample model, and for DPO preselect the
// newest SFT run of the same base; the review shows a pre-flight and asks before training on cut answers.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { ui, eventually } from './ui';
import { listRuns, readRun, runsRoot, writeRunFolder } from './runFixtures';

const EXTENSION_ID = 'clinical-ft.clinical-ft';
const title = (t: string) => `.quick-input-widget .quick-input-title:has-text("${t}")`;
const row = (t: string) => `.quick-input-list .monaco-list-row:has-text("${t}")`;
const FOCUSED = '.quick-input-list .monaco-list-row.focused';

async function focusedText(): Promise<string> {
  await ui.waitFor(FOCUSED);
  return (await ui.query(FOCUSED)).texts.join(' | ');
}

/** A completed run folder with an adapter, trained on `model`. */
function completedRun(id: string, method: 'sft' | 'dpo', model: string, ageMs: number): void {
  const dir = writeRunFolder(id, { status: 'completed', steps: 5, totalSteps: 5, method });
  const run = JSON.parse(fs.readFileSync(path.join(dir, 'run.json'), 'utf8'));
  run.config.model = model;
  run.startedAt = new Date(Date.now() - ageMs).toISOString();
  fs.writeFileSync(path.join(dir, 'run.json'), JSON.stringify(run, null, 2));
  fs.mkdirSync(path.join(dir, 'adapter'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'adapter', 'adapter_config.json'), '{}');
}

suite('start flow guides', () => {
  let extensionPath = '';
  let sampleModel = '';

  suiteSetup(async () => {
    const ext = vscode.extensions.getExtension<{ extensionPath: string }>(EXTENSION_ID);
    assert.ok(ext);
    extensionPath = (await ext.activate()).extensionPath;
    sampleModel = path.join(extensionPath, 'datasets-sample', 'model');
    // The bundled sample model is the default base, as on a fresh install.
    await vscode.workspace.getConfiguration('clinicalFt').update('defaultModel', undefined, vscode.ConfigurationTarget.Workspace);
    await vscode.commands.executeCommand('workbench.view.extension.clinicalFt');
  });

  teardown(async () => {
    for (let i = 0; i < 3 && (await ui.query('.quick-input-widget:visible')).count > 0; i++) await ui.press('Escape');
  });

  test('SFT pickers: SFT files only, a train split preselected, search by folder and format, the sample model named', async () => {
    const flow = vscode.commands.executeCommand('clinicalFt.startSftRun');
    await ui.waitFor(title('dataset'));
    assert.match(await focusedText(), /\.train\.sft\.jsonl/, 'a training split is preselected');
    const shown = (await ui.query('.quick-input-list .monaco-list-row')).texts.join('\n');
    assert.doesNotMatch(shown, /\.dpo\.jsonl|\.prefs\.jsonl/, 'preference files are not offered for SFT');
    assert.doesNotMatch(await focusedText(), /eval|defects/);
    // Only in the description (the folder path): the uti split lives in datasets-sample/uti.
    await ui.type('sample/uti');
    await ui.waitFor(row('uti.train.sft.jsonl'));
    // Only in the detail (the detected format): the triage set is the one in chat messages.
    await ui.press('Control+a');
    await ui.type('chat messages');
    await ui.waitFor(row('triage.train.sft.jsonl'));
    assert.match(await focusedText(), /triage\.train\.sft\.jsonl/, 'train split before the eval split');
    await ui.press('Control+a');
    await ui.type('Show all');
    await ui.waitFor(row('Show all'));
    await ui.press('Enter');
    // The whole list now: a defect file for DPO is among it (typed until the new step has taken the filter).
    await eventually(async () => {
      await ui.press('Control+a');
      await ui.type('dpo-identical');
      return (await ui.query(row('dpo-identical.jsonl'))).count > 0;
    }, 30_000, 'the DPO defect file listed after "Show all"');
    await ui.press('Control+a');
    await ui.type('triage.train.sft');
    await ui.waitFor(row('triage.train.sft.jsonl'));
    await ui.press('Enter');
    await ui.waitFor(title('Base model'), { timeoutMs: 90_000 });
    assert.match(await focusedText(), /Sample model \(1 M parameters, for trying the workflow\)/);
    await ui.screenshot('start-model-picker');
    await ui.press('Escape');
    assert.equal(await flow, undefined);
  });

  test('DPO pickers: a pair file preselected (never a defect), the newest SFT run of the same base preselected as the starting adapter', async () => {
    completedRun('20200101-000000-sft', 'sft', sampleModel, 3 * 3600_000);
    completedRun('20200101-010000-sft', 'sft', sampleModel, 2 * 3600_000);
    completedRun('20200101-020000-sft', 'sft', '/models/other-base', 3600_000);
    await vscode.commands.executeCommand('clinicalFt.runs.refresh');
    const flow = vscode.commands.executeCommand('clinicalFt.startDpoRun');
    await ui.waitFor(title('dataset'));
    const first = await focusedText();
    assert.match(first, /\.train\.dpo\.jsonl|\.prefs\.jsonl/, first);
    assert.doesNotMatch(first, /defects|eval/, first);
    await ui.type('triage.train.dpo');
    await ui.waitFor(row('triage.train.dpo.jsonl'));
    await ui.press('Enter');
    await ui.pickStep('Base model', { timeoutMs: 90_000 });
    await ui.press('Enter');
    await ui.waitFor(title('Starting adapter'));
    // Earlier suites leave many completed runs: the list is long, so only the active (preselected) row is sure to be in view.
    let adapter = '';
    await eventually(async () => /20200101-010000-sft/.test((adapter = await focusedText())), 30_000, 'the newest SFT run on the same base model preselected');
    assert.match(adapter, /20200101-010000-sft/, `the newest SFT run on the same base model, not: ${adapter}`);
    await ui.press('Escape');
    assert.equal(await flow, undefined);
    for (const id of ['20200101-000000-sft', '20200101-010000-sft', '20200101-020000-sft']) fs.rmSync(path.join(runsRoot(), id), { recursive: true, force: true });
  });

  test('the review shows a pre-flight; cutting answers is started only after "Start anyway"', async function () {
    const before = new Set(listRuns());
    const flow = vscode.commands.executeCommand<{ runId: string } | undefined>('clinicalFt.startSftRun');
    await ui.waitFor(title('dataset'));
    await ui.type('summarization.train.sft');
    await ui.waitFor(row('summarization.train.sft.jsonl'));
    await ui.press('Enter');
    await ui.pickStep('Base model', { timeoutMs: 90_000 });
    await ui.press('Enter');
    await ui.pickStep('Starting adapter');
    await ui.press('Enter');
    await ui.waitFor(title('Review'), { timeoutMs: 90_000 });
    await ui.waitFor(row('Records: 300 examples'));
    await ui.waitFor(row('Token lengths: nothing truncated'));
    await ui.screenshot('review-preflight');
    for (const text of ['Run name:', 'Memory:', 'Time:', 'Eval split: summarization.eval.sft.jsonl', 'Starting adapter: none', 'PHI:']) {
      await ui.press('Control+a');
      await ui.type(text);
      await ui.waitFor(row(text));
    }
    const edit = async (setting: string, value: string) => {
      await ui.press('Control+a');
      await ui.type(setting);
      await ui.waitFor(row(setting));
      await ui.press('Enter');
      await ui.waitFor(title(setting));
      await ui.press('Control+a');
      await ui.type(value);
      await ui.press('Enter');
      await ui.waitFor(title('Review'));
    };
    await edit('Max length', '256');
    await edit('Steps', '2');
    await ui.press('Control+a');
    await ui.type('Truncation');
    await ui.waitFor(row('lose part of the answer'));
    await ui.screenshot('review-preflight-truncation');
    await ui.press('Control+a');
    await ui.type('Start training');
    await ui.press('Enter');
    await ui.waitFor(title('Answers would be cut'));
    await ui.waitFor(row('Raise max length to 320'));
    await ui.screenshot('review-truncation-accept');
    await ui.press('Control+a');
    await ui.type('Back to the review');
    await ui.press('Enter');
    await ui.waitFor(title('Review'));
    assert.deepEqual(new Set(listRuns()), before, 'going back started nothing');
    await ui.press('Control+a');
    await ui.type('Start training');
    await ui.press('Enter');
    await ui.waitFor(title('Answers would be cut'));
    await ui.press('Control+a');
    await ui.type('Start anyway');
    await ui.press('Enter');
    const result = await flow;
    assert.ok(result && 'runId' in result, JSON.stringify(result));
    const run = readRun(result.runId) as unknown as { config: { maxLength: number; steps: number; evalData?: string } };
    assert.equal(run.config.maxLength, 256);
    assert.equal(run.config.steps, 2);
    assert.equal(path.basename(run.config.evalData ?? ''), 'summarization.eval.sft.jsonl', 'the eval split beside the training file');
    await eventually(() => ['completed', 'failed'].includes(readRun(result.runId).status), 170_000, 'the run to end');
    assert.equal(readRun(result.runId).status, 'completed', readRun(result.runId).error);
  });
});
