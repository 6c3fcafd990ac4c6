// Preference labeling in a real VS Code: the labeler edits the TextDocument line by line from the keyboard,
// VS Code's undo and save work on it, CodeLens labels the right line, malformed lines survive untouched.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { ui, eventually } from './ui';
import { parsePrefsText } from '../../../src/core/labels/prefsRecord';
import { writeTinyModel } from '../../fixtures/tinyModel';

const VIEW_TYPE = 'clinicalFt.preferenceLabeler';

function workspaceRoot(): string {
  const ws = vscode.workspace.workspaceFolders?.[0];
  assert.ok(ws, 'a workspace folder is open');
  return ws.uri.fsPath;
}

function sampleLines(): string[] {
  const file = path.join(workspaceRoot(), 'datasets-sample', 'labeling', 'discharge-advice.prefs.jsonl');
  return fs.readFileSync(file, 'utf8').split('\n').filter((l) => l.trim());
}

/** A fresh copy of the sample, optionally with a malformed line, so tests never share state. */
function freshFile(name: string, lines: string[]): vscode.Uri {
  const file = path.join(workspaceRoot(), 'labeling-tests', name);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, lines.join('\n') + '\n');
  return vscode.Uri.file(file);
}

async function openLabeler(uri: vscode.Uri): Promise<vscode.TextDocument> {
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  await vscode.commands.executeCommand('vscode.openWith', uri, VIEW_TYPE);
  await ui.waitFor('#position:has-text("Record 1 of")', { inWebview: true, timeoutMs: 60_000 });
  await ui.focusWebview('#app');
  return vscode.workspace.openTextDocument(uri);
}

/** A candidate as the file holds it (a string, or chat turns), as the texts a pane shows for it. */
function candidateTexts(value: unknown): string[] {
  if (typeof value === 'string') return [value.trim()];
  assert.ok(Array.isArray(value), `a candidate is a string or a list of turns, got ${JSON.stringify(value)}`);
  return value.map((m: { content: string }) => m.content.trim());
}

type Field = 'chosen' | 'rejected';

/**
 * Reads both panes of the record on line `line` off the screen and says which field of the file's line each
 * one shows. Fails unless left and right show the two candidates, one each.
 */
async function panesOnScreen(line: string, index: number): Promise<{ left: Field; right: Field }> {
  const record = `.record.pair[data-line="${index}"]`;
  await ui.waitFor(record, { inWebview: true });
  const left = (await ui.query(`${record} .pane.left .text`, { inWebview: true })).texts;
  const right = (await ui.query(`${record} .pane.right .text`, { inWebview: true })).texts;
  const rec = JSON.parse(line) as { chosen: unknown; rejected: unknown };
  const chosen = candidateTexts(rec.chosen);
  const rejected = candidateTexts(rec.rejected);
  assert.notDeepEqual(chosen, rejected, `line ${index + 1}: the candidates differ, so the screen can tell them apart`);
  const which = (shown: string[], side: string): Field => {
    if (JSON.stringify(shown) === JSON.stringify(chosen)) return 'chosen';
    if (JSON.stringify(shown) === JSON.stringify(rejected)) return 'rejected';
    assert.fail(`line ${index + 1}: the ${side} pane shows ${JSON.stringify(shown)}, neither candidate of the file`);
  };
  const sides = { left: which(left, 'left'), right: which(right, 'right') };
  assert.notEqual(sides.left, sides.right, `line ${index + 1}: both panes show the ${sides.left} text`);
  return sides;
}

/** What the file must record when the person prefers the text in a pane: "A" names chosen, "B" rejected (DESIGN.md). */
const labelFor = (field: Field) => (field === 'chosen' ? 'A' : 'B');

/** The label a key must record for the record on screen: 1 = the left pane's text, 2 = the right's. */
function expectedLabel(key: string, sides: { left: Field; right: Field }): string {
  if (key === '1') return labelFor(sides.left);
  if (key === '2') return labelFor(sides.right);
  return key === '3' ? 'tie' : 'both_bad';
}

const metaOf = (doc: vscode.TextDocument, line: number) => JSON.parse(doc.lineAt(line).text).meta as Record<string, string> | undefined;
const idOf = (line: string) => JSON.parse(line).id as string;

async function waitForText(doc: vscode.TextDocument, check: (text: string) => boolean, what: string): Promise<void> {
  await eventually(() => check(doc.getText()), 20_000, what);
}

suite('labeling', () => {
  suiteSetup(async () => {
    await vscode.extensions.getExtension('clinical-ft.clinical-ft')!.activate();
    await vscode.workspace.getConfiguration('clinicalFt').update('annotator', 'test-annotator', vscode.ConfigurationTarget.Global);
  });

  suiteTeardown(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.workspace.getConfiguration('clinicalFt').update('annotator', undefined, vscode.ConfigurationTarget.Global);
  });

  test('*.prefs.jsonl opens in the labeler by default, rendering prompt and both responses as text', async () => {
    const uri = freshFile('default.prefs.jsonl', sampleLines().slice(0, 5));
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.commands.executeCommand('vscode.open', uri);
    await ui.waitFor('#position:has-text("Record 1 of 5")', { inWebview: true, timeoutMs: 60_000 });
    const tab = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
    assert.ok(tab instanceof vscode.TabInputCustom && tab.viewType === VIEW_TYPE, 'custom editor is the default');
    assert.equal((await ui.query('#progress', { inWebview: true })).texts[0], '0 / 5 labeled');
    const panes = await ui.query('.pane .text', { inWebview: true });
    assert.equal(panes.count, 2);
    await panesOnScreen(sampleLines()[0], 0);
    assert.ok((await ui.query('.prompt .role:has-text("system")', { inWebview: true })).count === 1, 'chat turns show their roles');
  });

  test('keys label the record on screen in candidate terms; VS Code undo restores the line; save writes it', async () => {
    const lines = sampleLines().slice(0, 6);
    const uri = freshFile('keys.prefs.jsonl', lines);
    const doc = await openLabeler(uri);
    const sides0 = await panesOnScreen(lines[0], 0);

    await ui.press('1');
    await waitForText(doc, () => metaOf(doc, 0)?.label !== undefined, 'label on line 1');
    const meta = metaOf(doc, 0)!;
    assert.equal(meta.label, expectedLabel('1', sides0), `the left pane showed the ${sides0.left} text`);
    assert.equal(meta.annotator, 'test-annotator');
    assert.equal(meta.rationale, '');
    assert.ok(!Number.isNaN(Date.parse(meta.time)));
    // Minimal edit: the line is the original with a meta member appended; every other line is byte-identical.
    assert.ok(doc.lineAt(0).text.startsWith(lines[0].slice(0, -1) + ',"meta":{'));
    for (let i = 1; i < lines.length; i++) assert.equal(doc.lineAt(i).text, lines[i]);
    assert.equal(doc.isDirty, true);
    await ui.waitFor('#position:has-text("Record 2 of 6")', { inWebview: true });

    // Record 2: "2" (right), then "3" overwrites with tie, then "0" both bad on record 3.
    const sides1 = await panesOnScreen(lines[1], 1);
    await ui.press('2');
    await waitForText(doc, () => metaOf(doc, 1)?.label !== undefined, 'label on line 2');
    assert.equal(metaOf(doc, 1)?.label, expectedLabel('2', sides1), `the right pane showed the ${sides1.right} text`);
    await ui.press('k');
    await ui.press('3');
    await waitForText(doc, () => metaOf(doc, 1)?.label === 'tie', 'tie on line 2');
    await ui.press('0');
    await waitForText(doc, () => metaOf(doc, 2)?.label === 'both_bad', 'both_bad on line 3');

    // u = VS Code undo, one decision at a time.
    await ui.press('u');
    await waitForText(doc, () => doc.lineAt(2).text === lines[2], 'undo of both_bad');
    await ui.press('u');
    await waitForText(doc, () => metaOf(doc, 1)?.label === expectedLabel('2', sides1), 'undo of tie');
    await ui.press('U');
    await waitForText(doc, () => metaOf(doc, 1)?.label === 'tie', 'redo of tie');

    // r: rationale typed into the box, Enter saves it into meta.rationale of the current record (back on record 2).
    await ui.press('k');
    await ui.press('k');
    await ui.waitFor('#position:has-text("Record 2 of 6")', { inWebview: true });
    await ui.press('r');
    await ui.waitFor('#rationale-input', { inWebview: true });
    await ui.type('dose "500 mg" is <correct>');
    await ui.press('Enter');
    await waitForText(doc, () => metaOf(doc, 1)?.rationale === 'dose "500 mg" is <correct>', 'rationale');
    assert.equal(metaOf(doc, 1)?.label, 'tie', 'the label survives a rationale edit');
    await ui.screenshot('labeler');
    // d: word diff of the two responses, differing words marked.
    await ui.focusWebview('#app');
    await ui.press('d');
    await ui.waitFor('.pane mark.only', { inWebview: true });
    await ui.screenshot('labeler-diff');
    await ui.press('d');
    await ui.waitFor('.pane .turns.response', { inWebview: true });

    await ui.focusWebview('#app');
    await ui.press('Control+s');
    await eventually(() => !doc.isDirty && fs.readFileSync(uri.fsPath, 'utf8') === doc.getText(), 20_000, 'document saved to disk');
    assert.equal(JSON.parse(fs.readFileSync(uri.fsPath, 'utf8').split('\n')[1]).meta.label, 'tie');
  });

  test('a malformed line is displayed as such and left intact', async () => {
    const lines = sampleLines().slice(0, 3);
    const broken = '{"id":"broken-1","prompt":"Write advice", "chosen": "x", rejected: oops';
    const uri = freshFile('malformed.prefs.jsonl', [lines[0], broken, lines[1], '{"prompt":"only sft","completion":"c"}', lines[2]]);
    const doc = await openLabeler(uri);
    await ui.press('j');
    await ui.waitFor('.record.malformed', { inWebview: true });
    const shown = await ui.query('.record.malformed .raw', { inWebview: true });
    assert.equal(shown.texts[0], broken, 'the raw text is shown as text');
    assert.ok((await ui.query('.record.malformed .error:has-text("not valid JSON")', { inWebview: true })).count === 1);
    await ui.press('1');
    await ui.waitFor('.notice:has-text("left untouched")', { inWebview: true });
    await ui.press('j');
    await ui.press('2');
    await waitForText(doc, () => metaOf(doc, 2)?.label !== undefined, 'label after the malformed line');
    // The valid-JSON line without candidates is shown too, and also refuses a label.
    await ui.waitFor('.record.malformed .error:has-text("candidates")', { inWebview: true });
    await ui.press('3');
    await ui.waitFor('.notice:has-text("line 4")', { inWebview: true });
    assert.equal(doc.lineAt(1).text, broken);
    assert.equal(doc.lineAt(3).text, '{"prompt":"only sft","completion":"c"}');
    assert.equal(doc.lineAt(0).text, lines[0]);
    await vscode.commands.executeCommand('workbench.action.files.revert');
  });

  test('50 records labeled by keyboard alone, filter to unlabeled, nothing lost', async () => {
    const base = sampleLines();
    assert.ok(base.length >= 50, 'the sample has at least 50 records');
    const lines = base.slice(0, 50);
    const uri = freshFile('fifty.prefs.jsonl', lines);
    const doc = await openLabeler(uri);
    const keys = ['1', '2', '3', '0'];
    const expected: string[] = [];
    const t0 = Date.now();
    // Each record is read off the screen before its key: the label must name the text that was on that side.
    for (let i = 0; i < 49; i++) {
      expected.push(expectedLabel(keys[i % 4], await panesOnScreen(lines[i], i)));
      await ui.press(keys[i % 4]);
    }
    await waitForText(doc, () => doc.getText().split('\n').filter((l) => l.includes('"label"')).length === 49, '49 labels');
    // f: unlabeled only — the one left is the last record.
    await ui.press('f');
    await ui.waitFor('#position:has-text("Record 1 of 1 unlabeled")', { inWebview: true });
    expected.push(expectedLabel('1', await panesOnScreen(lines[49], 49)));
    await ui.press('1');
    await ui.waitFor('.empty:has-text("Every record is labeled")', { inWebview: true });
    await waitForText(doc, () => metaOf(doc, 49)?.label !== undefined, 'label 50');
    console.log(`    50 records labeled by keyboard in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    for (let i = 0; i < 50; i++) assert.equal(metaOf(doc, i)?.label, expected[i], `line ${i + 1}`);
    assert.ok(expected.includes('A') && expected.includes('B'), 'both candidates were preferred somewhere');
    assert.equal((await ui.query('#progress', { inWebview: true })).texts[0], '50 / 50 labeled');
    await ui.press('f');
    await vscode.commands.executeCommand('workbench.action.files.revert');
  });

  test('CodeLens "Prefer B" in the text editor labels exactly its line', async () => {
    const lines = sampleLines().slice(0, 4);
    const uri = freshFile('lens.dpo.jsonl', lines);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    const editor = await vscode.window.showTextDocument(uri);
    const lenses = await eventually(async () => {
      const l = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri);
      return l && l.length >= 16 ? l : undefined;
    }, 30_000, 'code lenses');
    const titles = lenses.filter((l) => l.range.start.line === 2).map((l) => l.command?.title);
    assert.deepEqual(titles.filter((t) => t !== 'Show training tokens'), ['Prefer A', 'Prefer B', 'Tie', 'Open side by side']);
    assert.ok(titles.includes('Show training tokens'), 'the inspector lens sits beside the labeling lenses');
    await ui.waitFor('.contentWidgets .codelens-decoration a:has-text("Prefer B")', { timeoutMs: 30_000 });
    const preferB = lenses.find((l) => l.range.start.line === 2 && l.command?.title === 'Prefer B')!;
    await vscode.commands.executeCommand(preferB.command!.command, ...(preferB.command!.arguments ?? []));
    const doc = editor.document;
    assert.equal(JSON.parse(doc.lineAt(2).text).meta.label, 'B');
    for (const i of [0, 1, 3]) assert.equal(doc.lineAt(i).text, lines[i]);
    // The lens of the labeled line now shows the decision.
    await eventually(async () => {
      const l = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri);
      return l?.some((x) => x.range.start.line === 2 && x.command?.title === '✓ Prefer B');
    }, 20_000, 'lens shows ✓');
    // Clicking a lens in the editor works too: the first "Tie" is on line 1.
    await ui.click('.contentWidgets .codelens-decoration a:has-text("Tie")');
    await eventually(() => doc.lineAt(0).text.includes('"label":"tie"'), 20_000, 'clicked Tie on line 1');
    await vscode.commands.executeCommand('workbench.action.files.revert');
    await eventually(() => !doc.isDirty, 10_000, 'reverted');
    // "Open side by side" opens the labeler beside the text, on that record.
    const open = lenses.find((l) => l.range.start.line === 3 && l.command?.title === 'Open side by side')!;
    await vscode.commands.executeCommand(open.command!.command, ...(open.command!.arguments ?? []));
    await ui.waitFor(`.record-id:has-text("id ${idOf(lines[3])}")`, { inWebview: true, timeoutMs: 30_000 });
    assert.equal(vscode.window.tabGroups.all.length, 2, 'beside the text editor');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  test('any DPO JSONL can be reopened with the labeler', async () => {
    const lines = sampleLines().slice(0, 2);
    const uri = freshFile('any.jsonl', lines);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.commands.executeCommand('vscode.open', uri);
    const first = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
    assert.ok(first instanceof vscode.TabInputText, 'a plain .jsonl opens as text by default');
    // "Reopen Editor With…" offers the labeler once for a plain .jsonl, and once (not twice) for a .prefs.jsonl,
    // whose own labeler entry is the default: the any-JSONL selector leaves *.prefs.jsonl out.
    const labelerChoices = async () => {
      await ui.palette('View: Reopen Editor With...');
      await ui.waitFor('.quick-input-list .monaco-list-row');
      const rows = (await ui.query('.quick-input-list .monaco-list-row')).texts.filter((t) => /Preference Labeler/.test(t));
      await ui.press('Escape');
      return rows;
    };
    assert.equal((await labelerChoices()).length, 1, 'plain .jsonl: the any-DPO-JSONL labeler');
    await vscode.commands.executeCommand('vscode.openWith', uri, 'clinicalFt.preferenceLabelerAnyJsonl');
    await ui.waitFor('#position:has-text("Record 1 of 2")', { inWebview: true, timeoutMs: 60_000 });
    const prefs = freshFile('any.prefs.jsonl', lines);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.commands.executeCommand('vscode.open', prefs);
    await ui.waitFor('#position:has-text("Record 1 of 2")', { inWebview: true, timeoutMs: 60_000 });
    const offered = await labelerChoices();
    assert.equal(offered.length, 1, `.prefs.jsonl: the labeler once, got ${JSON.stringify(offered)}`);
  });

  test('export writes DPO pairs with a summary; agreement computes kappa over the sample annotators', async () => {
    const dir = path.join(workspaceRoot(), 'datasets-sample', 'labeling');
    const out = path.join(workspaceRoot(), 'labeling-tests', 'annotator-a.dpo.jsonl');
    const res = await vscode.commands.executeCommand<{ out: string; summary: { exported: number; ties: number; bothBad: number } }>(
      'clinicalFt.exportLabeledPairs',
      vscode.Uri.file(path.join(dir, 'annotator-a.prefs.jsonl')),
      { out, overwrite: true, quiet: true },
    );
    assert.equal(res.out, out);
    const exported = fs.readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    assert.equal(exported.length, res.summary.exported);
    assert.ok(res.summary.exported > 0 && res.summary.ties > 0);
    assert.ok(exported.every((r) => typeof r.prompt !== 'undefined' && r.chosen && r.rejected && !('meta' in r)));

    const agreement = await vscode.commands.executeCommand<{ shared: number; kappa: number; disagreements: { id: string }[] }>(
      'clinicalFt.annotatorAgreement',
      vscode.Uri.file(path.join(dir, 'annotator-a.prefs.jsonl')),
      vscode.Uri.file(path.join(dir, 'annotator-b.prefs.jsonl')),
    );
    assert.equal(agreement.shared, 24);
    assert.ok(agreement.kappa > 0 && agreement.kappa < 1, `kappa ${agreement.kappa}`);
    await ui.waitFor('.quick-input-widget .quick-input-title:has-text("κ =")', { timeoutMs: 20_000 });
    const rows = await ui.query('.quick-input-list .monaco-list-row');
    assert.ok(rows.count > 0 && rows.texts.some((t) => t.includes(agreement.disagreements[0].id)), rows.texts.join(' | '));
    // Clicking a disagreement opens it in the labeler.
    await ui.press('Enter');
    await eventually(async () => {
      const tabs = vscode.window.tabGroups.all.flatMap((g) => g.tabs).map((t) => t.input);
      return tabs.some((i) => i instanceof vscode.TabInputCustom && i.viewType === VIEW_TYPE);
    }, 30_000, 'labeler opened on the disagreement');
    await ui.waitFor(`.record-id:has-text("id ${agreement.disagreements[0].id}")`, { inWebview: true, timeoutMs: 30_000 });
  });

  test('"Generate candidate pairs" samples two different responses per prompt in the trainer process', async () => {
    const dir = path.join(workspaceRoot(), 'labeling-tests', 'gen');
    fs.mkdirSync(dir, { recursive: true });
    const model = path.join(dir, 'tiny-model');
    await writeTinyModel(model, { seed: 7 });
    const prompts = path.join(dir, 'advice.sft.jsonl');
    fs.writeFileSync(
      prompts,
      [
        JSON.stringify({ id: 'g1', prompt: 'Discharge advice after pneumonia:', completion: 'x' }),
        JSON.stringify({ messages: [{ role: 'user', content: 'Advice after cystitis?' }, { role: 'assistant', content: 'y' }] }),
        JSON.stringify({ instruction: 'Write advice', input: 'cellulitis' }),
      ].join('\n') + '\n',
    );
    const out = path.join(dir, 'advice.candidates.prefs.jsonl');
    fs.rmSync(out, { force: true });
    const summary = await vscode.commands.executeCommand<{ written: number; identical: string[]; cancelled: boolean; out: string }>(
      'clinicalFt.generateCandidatePairs',
      { prompts, model, adapter: '', out, maxNewTokens: 6, temperature: 1, noOpen: true },
    );
    assert.equal(summary.out, out);
    assert.equal(summary.cancelled, false);
    assert.equal(summary.written + summary.identical.length, 3);
    const records = parsePrefsText(fs.readFileSync(out, 'utf8'));
    assert.equal(records.length, summary.written);
    for (const r of records) {
      assert.ok(r.kind === 'pair', JSON.stringify(r));
      assert.equal(r.label, undefined, 'generated records are unlabeled');
      assert.notDeepEqual(r.a, r.b);
    }
    assert.deepEqual(records.map((r) => (r.kind === 'pair' ? r.id : '')), ['g1', 'p2', 'p3'].filter((id) => !summary.identical.includes(id)));
    // The result opens in the labeler like any prefs file.
    await openLabeler(vscode.Uri.file(out));
    assert.ok((await ui.query('.pane .text', { inWebview: true })).count === 2);
  });

  test('"Generate candidate pairs" from the palette: three quick picks by keyboard, then the labeler opens', async () => {
    const dir = path.join(workspaceRoot(), 'labeling-tests', 'palette');
    fs.mkdirSync(dir, { recursive: true });
    const model = path.join(dir, 'tiny-model');
    await writeTinyModel(model, { seed: 5 });
    const prompts = path.join(dir, 'palette-prompts.sft.jsonl');
    fs.writeFileSync(prompts, [JSON.stringify({ id: 'q1', prompt: 'Advice after a fall:', completion: 'c' }), JSON.stringify({ id: 'q2', prompt: 'Advice after a burn:', completion: 'c' })].join('\n') + '\n');
    const out = path.join(dir, 'palette-prompts.candidates.prefs.jsonl');
    fs.rmSync(out, { force: true });
    await vscode.workspace.getConfiguration('clinicalFt').update('defaultModel', model, vscode.ConfigurationTarget.Global);
    try {
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      await ui.palette('Clinical FT: Generate candidate pairs');
      await ui.waitFor('.quick-input-widget .quick-input-title:has-text("prompts")');
      await ui.type('palette-prompts');
      await ui.waitFor('.quick-input-list .monaco-list-row:has-text("palette-prompts.sft.jsonl")');
      await ui.press('Enter');
      await ui.waitFor('.quick-input-widget .quick-input-title:has-text("base model")');
      await ui.waitFor('.quick-input-list .monaco-list-row:has-text("Default base model")');
      await ui.press('Enter');
      await ui.pickStep('adapter');
      await ui.press('Enter');
      await eventually(() => fs.existsSync(out) && fs.readFileSync(out, 'utf8').split('\n').filter(Boolean).length === 2, 60_000, 'two records').catch(async (e) => {
        await vscode.commands.executeCommand('notifications.showList');
        const notes = await ui.query('.notification-list-item');
        throw new Error(`${e instanceof Error ? e.message : String(e)}; notifications: ${notes.texts.join(' | ')}`);
      });
      await ui.waitFor('#position:has-text("Record 1 of 2")', { inWebview: true, timeoutMs: 60_000 });
    } finally {
      await vscode.workspace.getConfiguration('clinicalFt').update('defaultModel', undefined, vscode.ConfigurationTarget.Global);
    }
  });

  test('Cancel in the progress notification stops generation and keeps every record written so far', async () => {
    const dir = path.join(workspaceRoot(), 'labeling-tests', 'cancel');
    fs.mkdirSync(dir, { recursive: true });
    const model = path.join(dir, 'tiny-model');
    await writeTinyModel(model, { seed: 3 });
    const prompts = path.join(dir, 'many.txt');
    fs.writeFileSync(prompts, Array.from({ length: 200 }, (_, i) => `Prompt number ${i}:`).join('\n') + '\n');
    const out = path.join(dir, 'many.candidates.prefs.jsonl');
    fs.rmSync(out, { force: true });
    // Earlier notifications would hide the progress toast behind them.
    await vscode.commands.executeCommand('notifications.clearAll');
    const running = vscode.commands.executeCommand<{ written: number; cancelled: boolean }>('clinicalFt.generateCandidatePairs', {
      prompts, model, adapter: '', out, maxNewTokens: 24, temperature: 1, noOpen: true,
    });
    await eventually(() => fs.existsSync(out) && fs.readFileSync(out, 'utf8').split('\n').filter(Boolean).length >= 2, 60_000, 'two records written');
    // The progress lives in the notification list (a toast, or the centre when toasts are suppressed).
    await vscode.commands.executeCommand('notifications.showList');
    const cancel = '.notification-list-item:has-text("generating candidate pairs") .monaco-button:has-text("Cancel")';
    await ui.waitFor(cancel, { timeoutMs: 10_000 }).catch(async (e) => {
      await ui.screenshot('labeling-cancel-no-toast');
      throw e;
    });
    await ui.click(cancel);
    const summary = await running;
    assert.equal(summary.cancelled, true);
    assert.ok(summary.written >= 2 && summary.written < 200, `written ${summary.written}`);
    const records = parsePrefsText(fs.readFileSync(out, 'utf8'));
    assert.equal(records.length, summary.written, 'the file holds exactly the records reported');
    assert.ok(records.every((r) => r.kind === 'pair'), 'no torn line');
  });

  test('end to end: generate, label by keyboard, save, export, start a DPO run from the export', async () => {
    const dir = path.join(workspaceRoot(), 'labeling-tests', 'e2e');
    fs.mkdirSync(dir, { recursive: true });
    const model = path.join(dir, 'tiny-model');
    await writeTinyModel(model, { seed: 11 });
    const prompts = path.join(dir, 'questions.txt');
    fs.writeFileSync(prompts, ['Advice after pneumonia:', 'Advice after cystitis:', 'Advice after cellulitis:', 'Advice after asthma:'].join('\n') + '\n');
    const out = path.join(dir, 'questions.candidates.prefs.jsonl');
    fs.rmSync(out, { force: true });
    const gen = await vscode.commands.executeCommand<{ written: number }>('clinicalFt.generateCandidatePairs', {
      prompts, model, adapter: '', out, maxNewTokens: 6, temperature: 1, noOpen: true,
    });
    assert.ok(gen.written >= 2, `written ${gen.written}`);
    const doc = await openLabeler(vscode.Uri.file(out));
    for (let i = 0; i < gen.written; i++) await ui.press(i % 2 ? '2' : '1');
    await waitForText(doc, () => doc.getText().split('\n').filter((l) => l.includes('"label"')).length === gen.written, 'all labeled');
    await ui.press('Control+s');
    await eventually(() => !doc.isDirty, 20_000, 'saved');
    const exported = path.join(dir, 'questions.candidates.dpo.jsonl');
    const res = await vscode.commands.executeCommand<{ out: string; summary: { exported: number } }>('clinicalFt.exportLabeledPairs', vscode.Uri.file(out), { overwrite: true, quiet: true });
    assert.equal(res.out, exported);
    assert.equal(res.summary.exported, gen.written);
    const config = path.join(dir, 'dpo.run.json');
    fs.writeFileSync(config, JSON.stringify({ method: 'dpo', model, data: exported, steps: 1, batchSize: 2, maxLength: 64, backend: 'cpu' }));
    const started = await vscode.commands.executeCommand<{ runId?: string; refused?: string }>('clinicalFt.startRunFromConfig', vscode.Uri.file(config));
    assert.ok(started?.runId, `run started: ${JSON.stringify(started)}`);
    const runJson = path.join(workspaceRoot(), '.clinical-ft', 'runs', started.runId!, 'run.json');
    const status = await eventually(() => {
      try {
        const s = JSON.parse(fs.readFileSync(runJson, 'utf8')).status as string;
        return ['completed', 'failed', 'cancelled'].includes(s) ? s : undefined;
      } catch {
        return undefined;
      }
    }, 120_000, 'DPO run to finish');
    assert.equal(status, 'completed', fs.existsSync(runJson) ? fs.readFileSync(runJson, 'utf8') : 'no run.json');
  });
});
