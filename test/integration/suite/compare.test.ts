// Compare runs: two real adapters (SFT, then DPO from it) trained by this build's CLI on a tiny model, then
// "Compare runs: outputs side by side" from the Runs view selection → the panel evaluates base, SFT and
// DPO on the held-out split and shows metrics and per-example outputs next to the gold answer.
import * as assert from 'node:assert/strict';
import * as cp from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { ui, eventually } from './ui';
import { writeTinyModel } from '../../fixtures/tinyModel';

const EXTENSION_ID = 'clinical-ft.clinical-ft';
const workspace = () => vscode.workspace.workspaceFolders![0].uri.fsPath;
const runsRoot = () => path.join(workspace(), '.clinical-ft', 'runs');

function trainer(extensionPath: string, args: string[]): cp.SpawnSyncReturns<string> {
  return cp.spawnSync(process.execPath, [path.join(extensionPath, 'dist', 'trainer.js'), ...args], {
    env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
    encoding: 'utf8',
    timeout: 170_000,
  });
}

const supports = (extensionPath: string, command: string) => trainer(extensionPath, [command, '--help']).status === 0;

function writeTask(): { train: string; pairs: string; eval: string } {
  const dir = path.join(workspace(), 'compare-task');
  fs.mkdirSync(dir, { recursive: true });
  const note = (i: number, yes: boolean) => `Note ${i}: ${yes ? 'dysuria and nitrites' : 'cough and fever'}. Does this describe a urinary tract infection? Answer:`;
  const rows = (n: number, offset: number) => Array.from({ length: n }, (_, i) => ({ id: `c-${offset + i}`, prompt: note(offset + i, i % 2 === 0), completion: i % 2 === 0 ? ' yes' : ' no' }));
  const files = { train: path.join(dir, 'uti.train.sft.jsonl'), pairs: path.join(dir, 'uti.train.dpo.jsonl'), eval: path.join(dir, 'uti.eval.sft.jsonl') };
  fs.writeFileSync(files.train, rows(8, 0).map((r) => JSON.stringify(r)).join('\n') + '\n');
  fs.writeFileSync(files.pairs, rows(8, 0).map((r) => JSON.stringify({ prompt: r.prompt, chosen: r.completion, rejected: r.completion === ' yes' ? ' no' : ' yes' })).join('\n') + '\n');
  fs.writeFileSync(files.eval, rows(4, 100).map((r) => JSON.stringify(r)).join('\n') + '\n');
  return files;
}

suite('compare', () => {
  let extensionPath = '';
  const sftId = '20261122-090000-sft-compare';
  const dpoId = '20261122-090100-dpo-compare';
  let trained = false;

  suiteSetup(async function () {
    const ext = vscode.extensions.getExtension<{ extensionPath: string }>(EXTENSION_ID);
    assert.ok(ext);
    extensionPath = (await ext.activate()).extensionPath;
    if (!supports(extensionPath, 'train')) return;
    const model = path.join(workspace(), 'compare-model');
    if (!fs.existsSync(path.join(model, 'config.json'))) await writeTinyModel(model, { tokenizer: 'bytes' });
    const task = writeTask();
    const common = ['--model', model, '--steps', '2', '--batch-size', '2', '--max-length', '96', '--backend', 'cpu'];
    const sft = trainer(extensionPath, ['train', '--method', 'sft', '--data', task.train, '--out', path.join(runsRoot(), sftId), ...common]);
    assert.equal(sft.status, 0, sft.stderr);
    const dpo = trainer(extensionPath, ['train', '--method', 'dpo', '--data', task.pairs, '--adapter', path.join(runsRoot(), sftId, 'adapter'), '--out', path.join(runsRoot(), dpoId), ...common]);
    assert.equal(dpo.status, 0, dpo.stderr);
    trained = true;
    await vscode.commands.executeCommand('workbench.view.extension.clinicalFt');
  });

  test('the command is trust-gated in the manifest and in its code path', async () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(extensionPath, 'package.json'), 'utf8'));
    const cmd = manifest.contributes.commands.find((c: { command: string }) => c.command === 'clinicalFt.compareOutputs');
    assert.equal(cmd?.enablement, 'isWorkspaceTrusted');
    const menus = Object.values(manifest.contributes.menus as Record<string, { command: string; when?: string }[]>).flat().filter((m) => m.command === 'clinicalFt.compareOutputs');
    assert.ok(menus.some((m) => /view == clinicalFt\.runs/.test(m.when ?? '') && /viewItem == clinicalFt\.run\.completed/.test(m.when ?? '')), 'on completed runs in the Runs view');
    for (const m of menus) assert.match(m.when ?? '', /isWorkspaceTrusted/);
  });

  test('Runs view selection → panel with base / SFT / DPO metrics and per-example outputs beside the gold answer', async function () {
    if (!trained) this.skip();
    const nodes = [{ kind: 'run', id: sftId }, { kind: 'run', id: dpoId }];
    const opened = vscode.commands.executeCommand('clinicalFt.compareOutputs', nodes[0], nodes);
    await ui.waitFor('.quick-input-widget .quick-input-title:has-text("Held-out dataset")', { timeoutMs: 30_000 });
    const offered = await ui.query('.quick-input-list .monaco-list-row');
    assert.match(offered.texts[0], /uti\.eval\.sft\.jsonl/, 'the eval split beside the training file is offered first');
    await ui.press('Enter');
    await opened;
    await ui.waitFor('.status[data-phase]', { inWebview: true, timeoutMs: 30_000 });
    const heads = await ui.query('table.metrics thead th', { inWebview: true });
    assert.deepEqual(heads.texts.map((t) => t.trim()), ['Metric', 'base', 'SFT', 'DPO']);
    const phase = async () => (await ui.attributes('.status', ['data-phase'], { inWebview: true })).values[0]?.['data-phase'];
    await eventually(async () => ((await phase()) !== 'evaluating' ? true : undefined), 170_000, 'the evaluations to finish');
    if (!supports(extensionPath, 'eval')) {
      // This build has no evaluator yet: the panel must say so instead of showing empty columns.
      assert.equal(await phase(), 'failed');
      assert.match((await ui.query('.status span', { inWebview: true })).texts[0], /failed/);
      return;
    }
    assert.equal(await phase(), 'done', (await ui.query('.status span', { inWebview: true })).texts[0]);
    const examples = await ui.query('article.example', { inWebview: true });
    assert.equal(examples.count, 4);
    const outputs = await ui.query('article.example .output', { inWebview: true });
    assert.equal(outputs.count, 12, 'three models × four examples');
    const gold = await ui.query('article.example .gold pre', { inWebview: true });
    assert.deepEqual(gold.texts.map((t) => t.trim()).sort(), ['no', 'no', 'yes', 'yes']);
    const metricRows = await ui.query('table.metrics tbody th', { inWebview: true });
    assert.ok(metricRows.texts.includes('UTI classification F1'), metricRows.texts.join(', '));
    await ui.screenshot('compare-outputs');
    await ui.click('#only-disagreements', { inWebview: true });
    const filtered = await ui.query('article.example', { inWebview: true });
    assert.ok(filtered.count <= 4);
    for (const t of (await ui.query('article.example header', { inWebview: true })).texts) assert.match(t, /models disagree/);
  });
});
