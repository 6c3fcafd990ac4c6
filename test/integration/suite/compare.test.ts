// Compare runs: two real adapters (SFT, then DPO from it) trained by this build's CLI on a tiny model, then
// "Compare runs: outputs side by side" from the Runs view selection → the panel evaluates base, SFT and
// DPO on the held-out split and shows metrics and per-example outputs next to the gold answer.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { ui, eventually, runFromContextMenu } from './ui';
import { trainerCli, trainerCliSync } from './trainerCli';
import { writeTinyModel } from '../../fixtures/tinyModel';

const EXTENSION_ID = 'clinical-ft.clinical-ft';
const workspace = () => vscode.workspace.workspaceFolders![0].uri.fsPath;
const runsRoot = () => path.join(workspace(), '.clinical-ft', 'runs');

/** The CLI command must answer --help: a missing or crashing train/eval is a failure here, never a skip. */
function assertSupports(extensionPath: string, command: string): void {
  const r = trainerCliSync(extensionPath, [command, '--help']);
  assert.equal(r.status, 0, `clinical-ft ${command} --help ${r.error ? `failed: ${r.error.message}` : `exited ${r.status ?? r.signal}`}: ${(r.stderr ?? '').slice(-800)}`);
}

/**
 * UTI notes from the sample data: the SFT run trains on the train split; DPO gets pairs built from the same
 * split (chosen = the gold answer, rejected = the other one), so the comparison shows real clinical
 * prompts. Held-out: datasets-sample/uti/uti.eval.sft.jsonl, offered beside the SFT run's training file.
 */
function writeTask(): { train: string; pairs: string; eval: string } {
  const samples = path.join(workspace(), 'datasets-sample', 'uti');
  const train = path.join(samples, 'uti.train.sft.jsonl');
  const pairs = path.join(workspace(), 'compare-task', 'uti.train.dpo.jsonl');
  fs.mkdirSync(path.dirname(pairs), { recursive: true });
  const rows = fs.readFileSync(train, 'utf8').split('\n').filter(Boolean).slice(0, 120).map((l) => JSON.parse(l) as { prompt: string; completion: string });
  fs.writeFileSync(pairs, rows.map((r) => JSON.stringify({ prompt: r.prompt, chosen: r.completion, rejected: r.completion.trim() === 'yes' ? ' no' : ' yes' })).join('\n') + '\n');
  return { train, pairs, eval: path.join(samples, 'uti.eval.sft.jsonl') };
}

suite('compare', () => {
  let extensionPath = '';
  const sftId = '20261122-090000-sft-compare';
  const dpoId = '20261122-090100-dpo-compare';

  suiteSetup(async function () {
    const ext = vscode.extensions.getExtension<{ extensionPath: string }>(EXTENSION_ID);
    assert.ok(ext);
    extensionPath = (await ext.activate()).extensionPath;
    assertSupports(extensionPath, 'train');
    assertSupports(extensionPath, 'eval');
    // The bundled sample model when this workspace has it (the harness copies datasets-sample/), else a tiny one.
    let model = path.join(workspace(), 'datasets-sample', 'model');
    if (!fs.existsSync(path.join(model, 'model.safetensors'))) {
      model = path.join(workspace(), 'compare-model');
      if (!fs.existsSync(path.join(model, 'config.json'))) await writeTinyModel(model, { tokenizer: 'bytes' });
    }
    const task = writeTask();
    const common = ['--model', model, '--batch-size', '8', '--max-length', '192', '--lr', '5e-3', '--seed', '1'];
    const sft = await trainerCli(extensionPath, ['train', '--method', 'sft', '--data', task.train, '--steps', '40', '--out', path.join(runsRoot(), sftId), ...common]);
    assert.equal(sft.code, 0, sft.stderr);
    const dpo = await trainerCli(extensionPath, ['train', '--method', 'dpo', '--data', task.pairs, '--steps', '10', '--adapter', path.join(runsRoot(), sftId, 'adapter'), '--out', path.join(runsRoot(), dpoId), ...common]);
    assert.equal(dpo.code, 0, dpo.stderr);
    await vscode.commands.executeCommand('workbench.view.extension.clinicalFt');
  });

  test('the command is trust-gated in the manifest (menus and enablement)', async () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(extensionPath, 'package.json'), 'utf8'));
    const cmd = manifest.contributes.commands.find((c: { command: string }) => c.command === 'clinicalFt.compareOutputs');
    assert.equal(cmd?.enablement, 'isWorkspaceTrusted');
    const menus = Object.values(manifest.contributes.menus as Record<string, { command: string; when?: string }[]>).flat().filter((m) => m.command === 'clinicalFt.compareOutputs');
    assert.ok(menus.some((m) => /view == clinicalFt\.runs/.test(m.when ?? '') && m.when?.includes('viewItem =~ /^clinicalFt\\.run\\.completed\\./')), 'on completed runs in the Runs view');
    for (const m of menus) assert.match(m.when ?? '', /isWorkspaceTrusted/);
  });

  test('Runs view selection → panel with base / SFT / DPO metrics and per-example outputs beside the gold answer', async () => {
    // As a person does it: select both runs in the Runs view (DPO first, then Ctrl-click SFT), right-click,
    // "Compare runs: outputs side by side". The columns still read base → SFT → DPO.
    await vscode.commands.executeCommand('clinicalFt.runs.refresh');
    // Run rows read "<METHOD> · <dataset>"; these two are the only runs in this workspace.
    const sftRow = '.sidebar .monaco-list-row:has-text("SFT · uti.train.sft.jsonl")';
    const dpoRow = '.sidebar .monaco-list-row:has-text("DPO · uti.train.dpo.jsonl")';
    await ui.waitFor(sftRow, { timeoutMs: 20_000 });
    await ui.waitFor(dpoRow, { timeoutMs: 20_000 });
    await ui.click(dpoRow);
    await ui.click(sftRow, { modifiers: ['ControlOrMeta'] });
    const selected = await ui.query('.sidebar .monaco-list-row.selected');
    assert.equal(selected.count, 2, `two runs selected: ${selected.texts.join(' | ')}`);
    await runFromContextMenu(sftRow, 'Compare runs: outputs side by side', '.quick-input-widget .quick-input-title:has-text("Held-out dataset")');
    const offered = await ui.query('.quick-input-list .monaco-list-row');
    assert.match(offered.texts[0], /uti\.eval\.sft\.jsonl/, 'the eval split beside the training file is offered first');
    await ui.press('Enter');
    await ui.waitFor('.status[data-phase]', { inWebview: true, timeoutMs: 30_000 });
    // The status can come before the comparison it reports on: the model list is drawn with the comparison.
    await ui.waitFor('ul.models li', { inWebview: true, timeoutMs: 30_000 });
    const models = await ui.query('ul.models li', { inWebview: true });
    assert.match(models.texts[1], /sft-compare/, 'SFT comes before DPO whatever the selection order');
    // The DPO run's adapter/ already holds the SFT adapter it was trained on, stacked: no "select the starting run" warning.
    assert.match(models.texts[2], /dpo-compare.adapter/, 'DPO is evaluated from its own adapter/ folder');
    const heads = await ui.query('table.metrics thead th', { inWebview: true });
    assert.deepEqual(heads.texts.map((t) => t.trim()), ['Metric', 'base', 'SFT', 'DPO']);
    const phase = async () => (await ui.attributes('.status', ['data-phase'], { inWebview: true })).values[0]?.['data-phase'];
    await eventually(async () => ((await phase()) !== 'evaluating' ? true : undefined), 170_000, 'the evaluations to finish');
    assert.equal(await phase(), 'done', (await ui.query('.status span', { inWebview: true })).texts[0]);
    const examples = await ui.query('article.example', { inWebview: true });
    assert.equal(examples.count, 100, 'the 100 held-out notes, one page');
    const outputs = await ui.query('article.example .output', { inWebview: true });
    assert.equal(outputs.count, 300, 'three models × 100 examples');
    // Every model answered every example, and its answer names a label: an evaluation that ran but produced
    // nothing (or nothing readable) fails here.
    assert.equal((await ui.query('article.example .output em', { inWebview: true })).count, 0, 'no "not evaluated" output');
    const answers = await ui.query('article.example .output pre', { inWebview: true });
    assert.equal(answers.count, 300);
    const predicted = await ui.query('article.example .output .output-head .muted', { inWebview: true });
    assert.equal(predicted.count, 300, 'a predicted label per output');
    const named = predicted.texts.filter((t) => /→ (yes|no)$/.test(t)).length;
    assert.ok(named >= 200, `at least the two trained models name yes/no on every note: ${named} of 300 do`);
    const gold = await ui.query('article.example .gold pre', { inWebview: true });
    assert.deepEqual([...new Set(gold.texts.map((t) => t.trim()))].sort(), ['no', 'yes']);
    const metricRows = await ui.query('table.metrics tbody th', { inWebview: true });
    assert.ok(metricRows.texts.includes('UTI classification F1'), metricRows.texts.join(', '));
    // Each model has a value for each metric (a dash is a model the evaluation did not score).
    const cells = await ui.query('table.metrics tbody td', { inWebview: true });
    assert.equal(cells.count, metricRows.count * 3);
    for (const t of cells.texts) assert.match(t, /^-?\d+\.\d{3}$/, `metric cells: ${cells.texts.join(' ')}`);
    await ui.screenshot('compare-outputs');
    const label = (await ui.query('label[for="only-disagreements"]', { inWebview: true })).texts[0];
    const disagreements = Number(/\((\d+) of 100\b/.exec(label)?.[1]);
    assert.ok(Number.isInteger(disagreements), label);
    await ui.click('#only-disagreements', { inWebview: true });
    const filtered = await ui.query('article.example', { inWebview: true });
    assert.equal(filtered.count, disagreements, 'the filter keeps exactly the examples where the models disagree');
    for (const t of (await ui.query('article.example header', { inWebview: true })).texts) assert.match(t, /models disagree/);
  });

  test('a short held-out file: the DPO run trained from the SFT run answers unlike the base model (screenshot)', async function () {
    this.timeout(900_000);
    // Ten held-out notes keep this quick on a busy machine; the full comparison is the test above.
    const full = path.join(workspace(), 'datasets-sample', 'uti', 'uti.eval.sft.jsonl');
    // Named as the held-out split beside the DPO run's pairs, so the picker offers it.
    const short = path.join(workspace(), 'compare-task', 'uti.eval.sft.jsonl');
    fs.mkdirSync(path.dirname(short), { recursive: true });
    fs.writeFileSync(short, fs.readFileSync(full, 'utf8').split('\n').filter(Boolean).slice(0, 10).join('\n') + '\n');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.commands.executeCommand('clinicalFt.runs.refresh');
    const sftRow = '.sidebar .monaco-list-row:has-text("SFT · uti.train.sft.jsonl")';
    const dpoRow = '.sidebar .monaco-list-row:has-text("DPO · uti.train.dpo.jsonl")';
    await ui.waitFor(dpoRow, { timeoutMs: 30_000 });
    await ui.click(dpoRow);
    await ui.click(sftRow, { modifiers: ['ControlOrMeta'] });
    await runFromContextMenu(dpoRow, 'Compare runs: outputs side by side', '.quick-input-widget .quick-input-title:has-text("Held-out dataset")');
    await ui.click('.quick-input-list .monaco-list-row:has-text("compare-task")', { timeoutMs: 10_000 });
    await ui.waitFor('.status[data-phase]', { inWebview: true, timeoutMs: 60_000 });
    // The status can come before the comparison it reports on: the model list is drawn with the comparison.
    await ui.waitFor('ul.models li', { inWebview: true, timeoutMs: 30_000 });
    const models = await ui.query('ul.models li', { inWebview: true });
    assert.match(models.texts[2], /dpo-compare.adapter/, 'DPO is evaluated from its own adapter/ folder (the SFT adapter combined in)');
    const phase = async () => (await ui.attributes('.status', ['data-phase'], { inWebview: true })).values[0]?.['data-phase'];
    await eventually(async () => ((await phase()) !== 'evaluating' ? true : undefined), 840_000, 'the evaluations to finish');
    assert.equal(await phase(), 'done', (await ui.query('.status span', { inWebview: true })).texts[0]);
    const answers = (await ui.query('article.example .output pre', { inWebview: true })).texts;
    assert.equal(answers.length, 30, 'base, SFT and DPO on each of the ten notes');
    const differ = [...Array(10).keys()].filter((i) => answers[3 * i + 2].trim() !== answers[3 * i].trim()).length;
    assert.ok(differ > 0, 'the DPO run answers unlike the base model on some note: it is not evaluated as the base model');
    await ui.screenshot('compare-dpo-from-sft');
  });
});

suite('compare outputs', () => {
  test('outputs with gold answers are kept under .clinical-ft/compare until "Delete comparison outputs" removes them', async () => {
    const folder = path.join(workspace(), '.clinical-ft', 'compare');
    // Whatever the comparison above left, plus one made here so the test never depends on training.
    const made = path.join(folder, '20261122-100000-fixture');
    fs.mkdirSync(path.join(made, '0-base'), { recursive: true });
    fs.writeFileSync(path.join(made, '0-base', 'outputs.jsonl'), `${JSON.stringify({ prompt: 'q', output: 'a', gold: 'a' })}\n`);
    const before = fs.readdirSync(folder);
    const deleted = await vscode.commands.executeCommand<string[]>('clinicalFt.deleteCompareOutputs', { all: true, confirm: false });
    assert.deepEqual([...deleted].map((d) => path.basename(d)).sort(), [...before].sort());
    assert.deepEqual(fs.readdirSync(folder), []);
    const readme = fs.readFileSync(path.join(process.env.CLINICAL_FT_REPO ?? '', 'README.md'), 'utf8');
    assert.match(readme, /\.clinical-ft\/compare/, 'the README says where comparison outputs are kept');
  });
});
