// First run from the welcome view: a workspace without runs shows "Try it on the sample data", Start SFT run,
// Open a dataset and Show environment; the first copies the sample data in and trains a short SFT run to completion.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { ui, eventually } from './ui';

const EXTENSION_ID = 'clinical-ft.clinical-ft';
const workspace = () => vscode.workspace.workspaceFolders![0].uri.fsPath;
const runsRoot = () => path.join(workspace(), '.clinical-ft', 'runs');

suite('welcome', () => {
  // Other suites leave runs behind: set them aside so this workspace looks new, and put them back after.
  const aside = () => path.join(workspace(), '.clinical-ft', 'runs-aside-for-welcome');

  suiteSetup(async () => {
    await vscode.extensions.getExtension(EXTENSION_ID)!.activate();
    if (fs.existsSync(runsRoot())) fs.renameSync(runsRoot(), aside());
    await vscode.commands.executeCommand('workbench.view.extension.clinicalFt');
    await vscode.commands.executeCommand('clinicalFt.runs.refresh');
  });

  suiteTeardown(async () => {
    if (fs.existsSync(aside())) {
      for (const id of fs.readdirSync(aside())) fs.renameSync(path.join(aside(), id), path.join(runsRoot(), id));
      fs.rmSync(aside(), { recursive: true, force: true });
    }
    await vscode.commands.executeCommand('clinicalFt.runs.refresh');
  });

  test('the welcome view\'s Show environment button opens the environment panel', async () => {
    const welcome = '.sidebar .welcome-view-content';
    await ui.waitFor(`${welcome} .monaco-button:has-text("Show environment")`, { timeoutMs: 30_000 });
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await ui.click(`${welcome} .monaco-button:has-text("Show environment")`);
    await ui.waitFor('.faster li[data-id="native-kernels"]', { inWebview: true, timeoutMs: 60_000 });
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  test('a workspace without runs offers the sample data, Start SFT run and Open a dataset; the sample run trains to completion', async function () {
    this.timeout(900_000);
    const welcome = '.sidebar .welcome-view-content';
    await ui.waitFor(`${welcome}:has-text("Try it on the sample data")`, { timeoutMs: 30_000 });
    const buttons = (await ui.query(`${welcome} .monaco-button`)).texts.map((t) => t.trim());
    assert.deepEqual(buttons, ['Try it on the sample data', 'Start SFT run', 'Open a dataset', 'Show environment']);
    await ui.screenshot('welcome-view');
    await ui.click(`${welcome} .monaco-button:has-text("Try it on the sample data")`);
    const sample = path.join(workspace(), 'clinical-ft-sample');
    await eventually(() => fs.existsSync(path.join(sample, 'model', 'model.safetensors')), 30_000, 'the sample data copied into the workspace');
    const id = await eventually(() => (fs.existsSync(runsRoot()) ? fs.readdirSync(runsRoot()).find((d) => d.endsWith('-sft')) : undefined), 30_000, 'a run folder');
    const runJson = path.join(runsRoot(), id, 'run.json');
    const record = await eventually(() => {
      const r = fs.existsSync(runJson) ? (JSON.parse(fs.readFileSync(runJson, 'utf8')) as { status: string; config: { data: string; evalData?: string } }) : undefined;
      return r && (r.status === 'completed' || r.status === 'failed') ? r : undefined;
    }, 840_000, 'the sample run to finish');
    assert.equal(record.status, 'completed', fs.existsSync(path.join(runsRoot(), id, 'trainer.log')) ? fs.readFileSync(path.join(runsRoot(), id, 'trainer.log'), 'utf8').slice(-1500) : '');
    assert.equal(record.config.data, path.join(sample, 'triage', 'triage.train.sft.jsonl'));
    assert.equal(record.config.evalData, path.join(sample, 'triage', 'triage.eval.sft.jsonl'));
    const metrics = fs.readFileSync(path.join(runsRoot(), id, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, number>);
    const losses = metrics.filter((m) => typeof m.loss === 'number').map((m) => m.loss);
    assert.ok(losses.at(-1)! < 0.5 * losses[0], `the sample run learns: loss ${losses[0]} → ${losses.at(-1)}`);
    assert.ok(metrics.some((m) => typeof m.eval_loss === 'number'), 'eval loss on the held-out split');
    await ui.waitFor('.sidebar .monaco-list-row:has-text("SFT · triage.train.sft.jsonl")', { timeoutMs: 20_000 });
    fs.rmSync(path.join(runsRoot(), id), { recursive: true, force: true });
  });
});
