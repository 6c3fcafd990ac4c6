// "Improve with preferences…" end to end in real VS Code: a finished SFT run (trained by this build's CLI on
// the sample model) → two candidates per prompt from its adapter → some pairs labeled in the labeler → editors
// closed, the flow re-invoked as a person coming back days later (it resumes at labeling, counting the labels
// from the file) → the rest labeled → export → DPO from the SFT adapter, a few steps → Compare opens with
// base / SFT / DPO on the SFT run's held-out split.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { ui, eventually, runFromContextMenu, within } from './ui';
import { trainerCli } from './trainerCli';

const EXTENSION_ID = 'clinical-ft.clinical-ft';
const workspace = () => vscode.workspace.workspaceFolders![0].uri.fsPath;
const runsRoot = () => path.join(workspace(), '.clinical-ft', 'runs');
const readJson = (file: string) => JSON.parse(fs.readFileSync(file, 'utf8'));
const title = (text: string) => `.quick-input-widget .quick-input-title:has-text("${text}")`;

/**
 * Clicks the focused row `row` of the open quick pick until `taken` holds (`what` says what that means). A click that lands while the pick is
 * still rendering is not taken: click again, up to three times, and close the pick when nothing is taken so a
 * failure here cannot leave it open over the next tests' clicks.
 */
async function acceptRow(row: string, taken: () => Promise<boolean> | boolean, what: string): Promise<void> {
  const selector = `.quick-input-list .monaco-list-row.focused:has-text("${row}")`;
  await ui.waitFor(selector, { timeoutMs: 20_000 });
  for (let attempt = 1; attempt <= 3; attempt++) {
    if ((await ui.query(selector)).count > 0) await ui.click(selector).catch(() => undefined);
    if (await eventually(taken, 5_000 * attempt, `"${row}" taken`).then(() => true, () => false)) return;
  }
  await ui.press('Escape');
  throw new Error(`three clicks on "${row}" and still not: ${what}`);
}

/** What a command's promise settled with, readable while it is still pending. */
function settlement<T>(p: Thenable<T>): { readonly outcome: { value: T } | { error: unknown } | undefined } {
  const box: { outcome: { value: T } | { error: unknown } | undefined } = { outcome: undefined };
  Promise.resolve(p).then(
    (value) => (box.outcome = { value }),
    (error: unknown) => (box.outcome = { error }),
  );
  return box;
}

const lines = (file: string) => fs.readFileSync(file, 'utf8').split('\n').filter(Boolean);
const labeled = (file: string) => lines(file).filter((l) => JSON.parse(l).meta?.label !== undefined).length;

/** Labels the record on screen with the left candidate, then the next one with the right, as a person does by keyboard. */
async function labelTwo(from: number, total: number): Promise<void> {
  await ui.focusWebview('#app');
  await ui.press('1');
  await ui.waitFor(`#position:has-text("Record ${from + 1} of ${total}")`, { inWebview: true, timeoutMs: 20_000 });
  await ui.press('2');
}

suite('improve with preferences', () => {
  const sftId = '20261201-010000-sft-improve';
  let extensionPath = '';
  let task = { train: '', eval: '', prompts: '' };

  suiteSetup(async function () {
    this.timeout(300_000);
    const ext = vscode.extensions.getExtension<{ extensionPath: string }>(EXTENSION_ID);
    assert.ok(ext);
    extensionPath = (await ext.activate()).extensionPath;
    // The labeler asks for the annotator's name at the first label otherwise.
    await vscode.workspace.getConfiguration('clinicalFt').update('annotator', 'improve-annotator', vscode.ConfigurationTarget.Global);
    const model = path.join(workspace(), 'datasets-sample', 'model');
    assert.ok(fs.existsSync(path.join(model, 'model.safetensors')), 'the sample model is in the test workspace');
    // UTI notes from the sample data: a training split, a four-note held-out split beside it (the SFT run's
    // --eval-data, so Compare is quick), and four other notes as the prompts to generate candidates for.
    const dir = path.join(workspace(), 'improve-task');
    fs.mkdirSync(dir, { recursive: true });
    const sample = (f: string) => lines(path.join(workspace(), 'datasets-sample', 'uti', f));
    task = { train: path.join(dir, 'notes.train.sft.jsonl'), eval: path.join(dir, 'notes.eval.sft.jsonl'), prompts: path.join(dir, 'questions.prompts.jsonl') };
    fs.writeFileSync(task.train, sample('uti.train.sft.jsonl').slice(0, 120).join('\n') + '\n');
    fs.writeFileSync(task.eval, sample('uti.eval.sft.jsonl').slice(0, 4).join('\n') + '\n');
    fs.writeFileSync(task.prompts, sample('uti.eval.sft.jsonl').slice(10, 14).join('\n') + '\n');
    const sft = await trainerCli(extensionPath, ['train', '--method', 'sft', '--model', model, '--data', task.train, '--eval-data', task.eval, '--steps', '12', '--batch-size', '8', '--max-length', '192', '--lr', '5e-3', '--seed', '1', '--out', path.join(runsRoot(), sftId)]);
    assert.equal(sft.code, 0, sft.stderr);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.commands.executeCommand('workbench.view.extension.clinicalFt');
    await vscode.commands.executeCommand('clinicalFt.runs.refresh');
  });

  suiteTeardown(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.workspace.getConfiguration('clinicalFt').update('annotator', undefined, vscode.ConfigurationTarget.Global);
  });

  test('the command is trust-gated and on completed runs in the Runs view', () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(extensionPath, 'package.json'), 'utf8'));
    const cmd = manifest.contributes.commands.find((c: { command: string }) => c.command === 'clinicalFt.runs.improveWithPreferences');
    assert.equal(cmd?.title, 'Improve with preferences…');
    assert.equal(cmd?.enablement, 'isWorkspaceTrusted');
    const menus = (manifest.contributes.menus['view/item/context'] as { command: string; when: string }[]).filter((m) => m.command === cmd.command);
    assert.ok(menus.some((m) => /view == clinicalFt\.runs/.test(m.when) && /viewItem == clinicalFt\.run\.completed\.sft( |$)/.test(m.when) && /isWorkspaceTrusted/.test(m.when)));
  });

  test('generate → label over two sessions → export → DPO from the SFT adapter → compare on the held-out split', async function () {
    this.timeout(400_000);
    const stateFile = path.join(runsRoot(), sftId, 'improve.json');
    assert.ok(!fs.existsSync(stateFile));

    // Session 1: the flow starts at generation; only the prompts are asked for (short answers keep it quick);
    // then the labeler opens.
    const first = vscode.commands.executeCommand<{ done: string[] } | undefined>('clinicalFt.runs.improveWithPreferences', sftId, { maxNewTokens: 12 });
    await ui.waitFor(title(`Improve ${sftId} with preferences`), { timeoutMs: 30_000 });
    const steps = await ui.query('.quick-input-list .monaco-list-row');
    assert.equal(steps.count, 5, steps.texts.join(' | '));
    assert.match((await ui.query('.quick-input-list .monaco-list-row.focused')).texts.join(''), /Generate two candidates/, 'generation is the next step');
    await ui.press('Enter');
    await ui.waitFor(title(`Improve ${sftId}: prompts to generate two candidates for`), { timeoutMs: 20_000 });
    await ui.type('questions.prompts');
    await ui.waitFor('.quick-input-list .monaco-list-row:has-text("questions.prompts.jsonl")', { timeoutMs: 20_000 });
    await ui.press('Enter');
    assert.deepEqual((await within(first, 120_000, 'generation'))?.done, ['generate'], 'generation finished; labeling waits for a person');
    const state1 = readJson(stateFile);
    // Pointers are stored relative to the SFT run folder (a moved workspace keeps its flow).
    const pointer = (p: string) => path.resolve(path.dirname(stateFile), p);
    assert.ok(!path.isAbsolute(state1.pairs), state1.pairs);
    const pairs = pointer(state1.pairs);
    assert.equal(state1.sftRun, sftId);
    assert.equal(path.dirname(pairs), path.dirname(task.prompts), 'the pairs file is written beside the prompts');
    const total = lines(pairs).length;
    assert.ok(total >= 3, `at least three of four prompts gave two different candidates: ${total}`);
    for (const l of lines(pairs)) {
      const meta = JSON.parse(l).meta;
      assert.equal(meta?.label, undefined, 'generated pairs are unlabeled');
      assert.equal(meta?.generator?.adapter, path.join(runsRoot(), sftId, 'adapter'), 'sampled from the SFT adapter');
      assert.equal(meta?.generator?.model, path.join(workspace(), 'datasets-sample', 'model'), 'on the SFT run\'s base model');
    }
    await ui.waitFor(`#position:has-text("Record 1 of ${total}")`, { inWebview: true, timeoutMs: 60_000 });
    await labelTwo(1, total);
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(pairs));
    await eventually(() => doc.getText().split('\n').filter((l) => /"label"/.test(l)).length === 2, 20_000, 'two labels in the document');
    await doc.save();
    assert.equal(labeled(pairs), 2);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');

    // Session 2, "days later": nothing open, the palette's run picker says how far labeling got, and the flow
    // resumes at labeling on the first unlabeled pair.
    await ui.palette('Clinical FT: Improve with preferences…');
    await ui.waitFor(title('pick a finished SFT run'), { timeoutMs: 30_000 });
    await ui.type(sftId);
    const row = `.quick-input-list .monaco-list-row:has-text("2 of ${total} pairs labeled")`;
    await ui.waitFor(row, { timeoutMs: 20_000 });
    await ui.press('Enter');
    await ui.waitFor(title(`Continue improving ${sftId}: 2 of ${total} pairs labeled`), { timeoutMs: 20_000 });
    const ticked = await ui.query('.quick-input-list .monaco-list-row:has(.codicon-pass-filled)');
    assert.equal(ticked.count, 1, `only generation is ticked: ${ticked.texts.join(' | ')}`);
    await ui.screenshot('improve-continue');
    assert.match((await ui.query('.quick-input-list .monaco-list-row.focused')).texts.join(''), /Label the pairs/);
    await ui.press('Enter');
    await ui.waitFor(`#position:has-text("Record 3 of ${total}")`, { inWebview: true, timeoutMs: 60_000 });
    for (let k = 3; k <= total; k++) {
      await ui.focusWebview('#app');
      await ui.press(k % 2 ? '1' : '2');
      await eventually(() => doc.getText().split('\n').filter((l) => /"label"/.test(l)).length === k, 20_000, `${k} labels`);
    }
    await doc.save();
    assert.equal(labeled(pairs), total);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');

    /** Runs the flow from its pick titled `…shown` through "Train DPO" to a started DPO run of `steps` steps; its id. */
    const trainDpoThroughFlow = async (shown: string, steps: number): Promise<string> => {
      const flow = vscode.commands.executeCommand<{ done: string[] } | undefined>('clinicalFt.runs.improveWithPreferences', sftId);
      await ui.waitFor(title(`Continue improving ${sftId}: ${shown}`), { timeoutMs: 20_000 });
      await acceptRow('Train DPO', async () => (await ui.query(title('Start preference run: method'))).count > 0, 'the method pick');
      await ui.type('DPO');
      await ui.press('Enter');
      // The base model and starting adapter come from the SFT run: the start flow goes straight to the review.
      await ui.waitFor(title('Review'), { timeoutMs: 60_000 }).catch(async (e) => {
        const notes = await ui.query('.notifications-toasts .notification-list-item-message');
        const open = await ui.query('.quick-input-widget .quick-input-title');
        await ui.screenshot('improve-no-review');
        throw new Error(`${e instanceof Error ? e.message : String(e)} — notifications: ${notes.texts.join(' | ')}; quick input: ${open.texts.join(' | ')}`);
      });
      await ui.type('Steps');
      await acceptRow('optimizer steps', async () => (await ui.query(title('Steps'))).count > 0, 'the steps input');
      await ui.press('Control+a');
      await ui.type(String(steps));
      await ui.press('Enter');
      await ui.waitFor(title('Review'));
      await ui.type('Start training');
      await acceptRow('Start training', async () => (await ui.query('.quick-input-widget:visible')).count === 0, 'the review closed');
      assert.deepEqual((await within(flow, 60_000, 'the DPO run to start'))?.done, ['train']);
      return readJson(stateFile).preferenceRun as string;
    };

    // Session 3: export is next; it hands the pairs to the method pick, and DPO starts from the SFT adapter.
    const before = new Set(fs.readdirSync(runsRoot()));
    const third = vscode.commands.executeCommand<{ done: string[] } | undefined>('clinicalFt.runs.improveWithPreferences', sftId);
    await ui.waitFor(title(`Continue improving ${sftId}: ${total} of ${total} pairs labeled · next: export`), { timeoutMs: 20_000 });
    await ui.press('Enter');
    await ui.waitFor(title('Start preference run: method'), { timeoutMs: 30_000 });
    // Backing out of the method pick keeps the export and leaves the flow at training.
    await ui.press('Escape');
    assert.deepEqual((await within(third, 30_000, 'the flow to end on Escape'))?.done, ['export']);
    assert.equal(readJson(stateFile).preferenceRun, undefined);
    // Long enough to still be training when the flow is invoked again right after its start.
    const longId = await trainDpoThroughFlow(`${total} of ${total} pairs labeled · next: train`, 400);
    const state3 = readJson(stateFile);
    assert.equal(pointer(state3.exported), pairs.replace(/\.prefs\.jsonl$/, '.dpo.jsonl'));
    assert.equal(lines(pointer(state3.exported)).length, total, 'every pair was labeled A or B, so every pair is exported');
    assert.ok(!before.has(longId), `a new run: ${longId}`);
    // Train again while the DPO run trains asks first (never a second run by a slip of Enter). The workbench under
    // test refuses modal dialogs by throwing with their text: the question was asked, nothing else started.
    const whileTraining = settlement(vscode.commands.executeCommand('clinicalFt.runs.improveWithPreferences', sftId));
    await ui.waitFor(title('next: train'), { timeoutMs: 20_000 });
    await acceptRow('Train DPO', () => whileTraining.outcome !== undefined, 'the flow asked before a second run (or ended)');
    const refusal = whileTraining.outcome && 'error' in whileTraining.outcome ? String(whileTraining.outcome.error) : JSON.stringify(whileTraining.outcome);
    assert.match(refusal, new RegExp(`refused to show dialog.*DPO run ${longId} from ${sftId} is still training`));
    assert.equal(readJson(stateFile).preferenceRun, longId);
    assert.deepEqual(fs.readdirSync(runsRoot()).filter((d) => !before.has(d)), [longId], 'no second run');
    // Cancelled, the run leaves the flow at training, and the next start asks nothing.
    // From the running row's own context menu (its menus match on status and method).
    await vscode.commands.executeCommand('clinicalFt.runs.refresh');
    const longRow = '.sidebar .monaco-list-row:has-text("DPO · questions.candidates.dpo.jsonl"):has-text("/400")';
    await runFromContextMenu(`${longRow}:not(:has-text("cancelled"))`, 'Cancel run', `${longRow}:has-text("cancelled")`);
    await eventually(() => readJson(path.join(runsRoot(), longId, 'run.json')).status === 'cancelled', 60_000, 'the long DPO run to be cancelled');
    const dpoId = await trainDpoThroughFlow(`${total} of ${total} pairs labeled · next: train`, 3);
    assert.notEqual(dpoId, longId);
    assert.equal(readJson(stateFile).preferenceRun, dpoId);
    const dpoRun = readJson(path.join(runsRoot(), dpoId, 'run.json'));
    assert.equal(dpoRun.config.method, 'dpo');
    assert.equal(dpoRun.config.data, pointer(state3.exported));
    assert.equal(dpoRun.config.adapter, path.join(runsRoot(), sftId, 'adapter'), 'DPO starts from the SFT adapter');
    assert.equal(dpoRun.config.model, path.join(workspace(), 'datasets-sample', 'model'));
    await eventually(() => ['completed', 'failed'].includes(readJson(path.join(runsRoot(), dpoId, 'run.json')).status), 170_000, 'the DPO run to end');
    assert.equal(readJson(path.join(runsRoot(), dpoId, 'run.json')).status, 'completed', readJson(path.join(runsRoot(), dpoId, 'run.json')).error);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');

    // The flow starts from SFT runs only: the DPO run's context menu does not offer it; invoked anyway, it says so
    // and leaves no state behind.
    await vscode.commands.executeCommand('clinicalFt.runs.refresh');
    const dpoRow = '.sidebar .monaco-list-row:has-text("DPO · questions.candidates.dpo.jsonl"):has-text("completed")';
    await ui.waitFor(dpoRow, { timeoutMs: 20_000 });
    await ui.click(dpoRow, { button: 'right' });
    await ui.waitFor('.monaco-menu .action-item:has-text("Show run log")', { timeoutMs: 10_000 });
    assert.equal((await ui.query('.monaco-menu .action-item:has-text("Improve with preferences")')).count, 0, 'not offered on a DPO run');
    for (const item of ['Export model…', 'Delete run', 'Create model fact sheet']) assert.equal((await ui.query(`.monaco-menu .action-item:has-text("${item}")`)).count, 1, `${item} on a completed run`);
    await ui.press('Escape');
    assert.equal(await vscode.commands.executeCommand('clinicalFt.runs.improveWithPreferences', dpoId), undefined);
    assert.ok(!fs.existsSync(path.join(runsRoot(), dpoId, 'improve.json')));

    // Session 4, from the SFT run's context menu in the Runs view: compare is next; the SFT run and the new
    // DPO run on the SFT run's held-out split.
    await vscode.commands.executeCommand('clinicalFt.runs.refresh');
    // Its own file name: the compare suite's SFT run (same sample data) may be in this workspace too.
    const sftRow = '.sidebar .monaco-list-row:has-text("SFT · notes.train.sft.jsonl")';
    await ui.waitFor(sftRow, { timeoutMs: 20_000 });
    // Expanded, the run shows where its flow stands; the row continues it.
    const improveRow = `.sidebar .monaco-list-row:has-text("Improve with preferences"):has-text("${total} of ${total} pairs labeled · next: compare")`;
    await eventually(async () => {
      if ((await ui.query(`${sftRow}[aria-expanded="false"]`)).count > 0) await ui.click(`${sftRow} .monaco-tl-twistie`);
      return (await ui.query(improveRow)).count > 0;
    }, 20_000, 'the flow\'s progress under the expanded SFT run');
    await runFromContextMenu(sftRow, 'Improve with preferences…', title('next: compare'));
    assert.equal((await ui.query('.quick-input-list .monaco-list-row:has(.codicon-pass-filled)')).count, 4, 'four steps done');
    await ui.press('Enter');
    await eventually(() => fs.existsSync(stateFile) && pointer(readJson(stateFile).compared?.dataset ?? '') === task.eval, 60_000, 'the comparison recorded in improve.json');
    await ui.waitFor('.status[data-phase]', { inWebview: true, timeoutMs: 60_000 });
    // The status can come before the comparison it reports on: the model list is drawn with the comparison.
    await ui.waitFor('ul.models li', { inWebview: true, timeoutMs: 30_000 });
    const models = await ui.query('ul.models li', { inWebview: true });
    assert.equal(models.count, 3, models.texts.join(' | '));
    assert.match(models.texts[1], new RegExp(sftId));
    assert.match(models.texts[2], new RegExp(dpoId));
    const phase = async () => (await ui.attributes('.status', ['data-phase'], { inWebview: true })).values[0]?.['data-phase'];
    await eventually(async () => ((await phase()) !== 'evaluating' ? true : undefined), 170_000, 'the evaluations to finish');
    assert.equal(await phase(), 'done', (await ui.query('.status span', { inWebview: true })).texts[0]);
    assert.equal((await ui.query('article.example', { inWebview: true })).count, 4, 'the four held-out notes');
    await ui.screenshot('improve-compare');
  });
});
