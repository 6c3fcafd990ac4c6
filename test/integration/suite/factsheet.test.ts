// Model fact sheet: a demo-style pair of runs (SFT, then DPO from it) trained by this build's CLI on the sample
// model, the DPO run and the base model evaluated with `clinical-ft eval` (the demo's layout: the base evaluation
// under .clinical-ft/demo/<id>/base), then "Create model fact sheet" from the Runs view's context menu → the
// panel shows the document, one form field is filled and saved, and the four formats are exported.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { ui, eventually, runFromContextMenu } from './ui';
import { trainerCli } from './trainerCli';

const EXTENSION_ID = 'clinical-ft.clinical-ft';
const workspace = () => vscode.workspace.workspaceFolders![0].uri.fsPath;
const runsRoot = () => path.join(workspace(), '.clinical-ft', 'runs');
const DEMO = 'demo-20261130-120000';

function firstLines(from: string, to: string, n: number, edit: (r: Record<string, unknown>, i: number) => Record<string, unknown> = (r) => r): string {
  const rows = fs.readFileSync(from, 'utf8').split('\n').filter(Boolean).slice(0, n).map((l, i) => JSON.stringify(edit(JSON.parse(l) as Record<string, unknown>, i)));
  fs.mkdirSync(path.dirname(to), { recursive: true });
  fs.writeFileSync(to, rows.join('\n') + '\n');
  return to;
}

suite('factsheet', () => {
  const sftId = `${DEMO}-sft-triage-s1`;
  const dpoId = `${DEMO}-dpo-triage-s1`;

  suiteSetup(async function () {
    const ext = vscode.extensions.getExtension<{ extensionPath: string }>(EXTENSION_ID);
    assert.ok(ext);
    const extensionPath = (await ext.activate()).extensionPath;
    const samples = path.join(workspace(), 'datasets-sample');
    const model = path.join(samples, 'model');
    assert.ok(fs.existsSync(path.join(model, 'model.safetensors')), 'the harness copies datasets-sample/ (with the sample model) into the workspace');
    const task = path.join(workspace(), 'factsheet-task');
    const train = firstLines(path.join(samples, 'triage', 'triage.train.sft.jsonl'), path.join(task, 'fs.train.sft.jsonl'), 24);
    const pairs = firstLines(path.join(samples, 'triage', 'triage.train.dpo.jsonl'), path.join(task, 'fs.train.dpo.jsonl'), 24);
    const evalFile = firstLines(path.join(samples, 'triage', 'triage.eval.sft.jsonl'), path.join(task, 'fs.eval.sft.jsonl'), 6, (r, i) => ({ ...r, meta: { subgroup: i % 2 ? 'pediatric' : 'adult' } }));
    const common = ['--model', model, '--batch-size', '4', '--max-length', '256', '--seed', '1', '--backend', 'wasm'];
    const sft = await trainerCli(extensionPath, ['train', '--method', 'sft', '--data', train, '--steps', '6', '--lr', '1e-3', '--out', path.join(runsRoot(), sftId), ...common]);
    assert.equal(sft.code, 0, sft.stderr);
    const dpo = await trainerCli(extensionPath, ['train', '--method', 'dpo', '--data', pairs, '--eval-data', pairs, '--eval-every', '3', '--steps', '3', '--lr', '3e-4', '--adapter', path.join(runsRoot(), sftId, 'adapter'), '--out', path.join(runsRoot(), dpoId), ...common]);
    assert.equal(dpo.code, 0, dpo.stderr);
    const ev = await trainerCli(extensionPath, ['eval', '--model', model, '--adapter', path.join(runsRoot(), dpoId, 'adapter'), '--data', evalFile, '--max-new-tokens', '8', '--backend', 'wasm', '--json']);
    assert.equal(ev.code, 0, ev.stderr);
    const base = await trainerCli(extensionPath, ['eval', '--model', model, '--data', evalFile, '--max-new-tokens', '8', '--backend', 'wasm', '--out', path.join(workspace(), '.clinical-ft', 'demo', DEMO, 'base'), '--json']);
    assert.equal(base.code, 0, base.stderr);
    await vscode.commands.executeCommand('workbench.view.extension.clinicalFt');
  });

  test('Runs view → Create model fact sheet → fill a field, save, export Markdown, HTML, HTI-1 JSON and CHAI XML', async () => {
    await vscode.commands.executeCommand('clinicalFt.runs.refresh');
    const dpoRow = '.sidebar .monaco-list-row:has-text("DPO · fs.train.dpo.jsonl")';
    await ui.waitFor(dpoRow, { timeoutMs: 20_000 });
    await ui.click(dpoRow);
    await runFromContextMenu(dpoRow, 'Create model fact sheet', '.status[data-phase]', { inWebview: true });
    const phase = async () => (await ui.attributes('.status', ['data-phase'], { inWebview: true })).values[0]?.['data-phase'];
    await eventually(async () => ((await phase()) !== 'loading' ? true : undefined), 120_000, 'the fact sheet to load');
    assert.equal(await phase(), 'ready', (await ui.query('.status', { inWebview: true })).texts[0]);
    // The same document the exports render: base and DPO rows (the demo's base evaluation joined by itself), subgroups.
    const evalTable = await ui.query('section[data-section="evaluation"] table tbody tr', { inWebview: true });
    assert.ok(evalTable.texts.some((t) => /^base/.test(t.trim())) && evalTable.texts.some((t) => /^DPO/.test(t.trim())), evalTable.texts.join(' | '));
    assert.ok((await ui.query('section[data-section="evaluation"] th:has-text("pediatric")', { inWebview: true })).count >= 1, 'per-subgroup table');
    assert.ok((await ui.query('section[data-section="training"] svg.chart path', { inWebview: true })).count >= 1, 'loss curve drawn');
    assert.equal((await ui.query('textarea[data-field]', { inWebview: true })).count, 7);

    const text = 'Research demonstration on synthetic portal messages; not for patient care.';
    await ui.click('textarea[data-field="intendedUse"]', { inWebview: true });
    await ui.type(text);
    await ui.click('button[data-action="save"]', { inWebview: true });
    const answersFile = path.join(runsRoot(), dpoId, 'factsheet.answers.json');
    await eventually(() => fs.existsSync(answersFile) && JSON.parse(fs.readFileSync(answersFile, 'utf8')).answers.intendedUse === text, 20_000, 'the answer saved beside the run');
    await ui.waitFor('[data-notice]:has-text("Saved")', { inWebview: true, timeoutMs: 10_000 });
    await ui.screenshot('factsheet-panel');

    await ui.click('button[data-export="all"]', { inWebview: true });
    const out = path.join(runsRoot(), dpoId, 'factsheet');
    const files = ['factsheet.md', 'factsheet.html', 'factsheet.json', 'factsheet.xml', 'factsheet-loss.svg'];
    await eventually(() => files.every((f) => fs.existsSync(path.join(out, f))), 20_000, `the exports in ${out}`);
    await ui.waitFor('[data-notice]:has-text("Exported")', { inWebview: true, timeoutMs: 10_000 });
    // Playwright scrolls what it clicks into view: the training curves and the evaluation table, for the record.
    await ui.click('section[data-section="evaluation"] h2', { inWebview: true });
    await ui.screenshot('factsheet-evaluation');
    const md = fs.readFileSync(path.join(out, 'factsheet.md'), 'utf8');
    assert.ok(md.includes(`**Intended use:** ${text}`));
    assert.match(md, /\*\*Intended users:\*\* _Not answered — to be written by a person\._/);
    assert.match(md, /\| base \| /);
    assert.match(md, /\| train \(starting adapter\) \| fs\.train\.sft\.jsonl \| [0-9a-f]{64} \| 24 \|/, 'data lineage: the SFT run the DPO run started from');
    const hti1 = JSON.parse(fs.readFileSync(path.join(out, 'factsheet.json'), 'utf8')) as { attributes: { ref: string; status: string; value: string | null }[] };
    assert.equal(hti1.attributes.length, 31);
    assert.deepEqual(hti1.attributes.find((a) => a.ref === '2(i)'), { ...hti1.attributes.find((a) => a.ref === '2(i)'), status: 'answered_by_person', value: text });
    assert.ok(fs.readFileSync(path.join(out, 'factsheet.xml'), 'utf8').includes(`<IntendedUseAndWorkflow>${text}</IntendedUseAndWorkflow>`));
    const html = fs.readFileSync(path.join(out, 'factsheet.html'), 'utf8');
    assert.ok(html.includes(text) && html.includes('<svg') && !html.includes('<script'));
  });
});
