// The annotator a label records: asked once per workspace at the first label (never the OS account, which is
// "root" in containers), remembered for every later label, changed by "Clinical FT: Set annotator name".
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { ui, eventually } from './ui';

const VIEW_TYPE = 'clinicalFt.preferenceLabeler';
const workspace = () => vscode.workspace.workspaceFolders![0].uri.fsPath;
const setting = (v: string | undefined) => vscode.workspace.getConfiguration('clinicalFt').update('annotator', v, vscode.ConfigurationTarget.Global);
const annotatorOf = (doc: vscode.TextDocument, line: number) => (JSON.parse(doc.lineAt(line).text) as { meta?: { annotator?: string } }).meta?.annotator;
const inputOpen = async () => (await ui.query('.quick-input-widget:visible')).count > 0;

suite('annotator name', () => {
  suiteSetup(async () => {
    await vscode.extensions.getExtension('clinical-ft.clinical-ft')!.activate();
    await setting(undefined);
  });
  suiteTeardown(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  test('asked once at the first label, remembered for the next ones, changed by Set annotator name', async () => {
    const sample = path.join(workspace(), 'datasets-sample', 'labeling', 'discharge-advice.prefs.jsonl');
    const file = path.join(workspace(), 'annotator-tests', 'asked-once.prefs.jsonl');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, fs.readFileSync(sample, 'utf8').split('\n').filter((l) => l.trim()).slice(0, 4).join('\n') + '\n');
    const uri = vscode.Uri.file(file);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.commands.executeCommand('vscode.openWith', uri, VIEW_TYPE);
    await ui.waitFor('#position:has-text("Record 1 of 4")', { inWebview: true, timeoutMs: 60_000 });
    assert.match((await ui.query('#annotator', { inWebview: true })).texts[0], /not set yet/);
    const doc = await vscode.workspace.openTextDocument(uri);

    await ui.focusWebview('#app');
    await ui.press('1');
    await ui.waitFor('.quick-input-widget .quick-input-title:has-text("your name as annotator")', { timeoutMs: 20_000 });
    assert.equal(annotatorOf(doc, 0), undefined, 'nothing is written before the person names themself');
    await ui.type('Dr Ada Test');
    await ui.press('Enter');
    await eventually(() => annotatorOf(doc, 0) === 'Dr Ada Test', 20_000, 'the first label to record the name given');
    await ui.waitFor('#annotator:has-text("annotator Dr Ada Test")', { inWebview: true, timeoutMs: 10_000 });

    // The second label is not asked again.
    await ui.waitFor('#position:has-text("Record 2 of 4")', { inWebview: true });
    await ui.focusWebview('#app');
    await ui.press('2');
    await eventually(() => annotatorOf(doc, 1) === 'Dr Ada Test', 20_000, 'the second label to record the remembered name');
    assert.equal(await inputOpen(), false, 'no second question');
    await ui.screenshot('labeler-annotator');

    await ui.palette('Clinical FT: Set annotator name');
    await ui.waitFor('.quick-input-widget .quick-input-title:has-text("set annotator name")', { timeoutMs: 20_000 });
    await ui.press('ControlOrMeta+a');
    await ui.type('Dr Second');
    await ui.press('Enter');
    await ui.waitFor('#annotator:has-text("annotator Dr Second")', { inWebview: true, timeoutMs: 10_000 });
    await ui.focusWebview('#app');
    await ui.press('3');
    await eventually(() => annotatorOf(doc, 2) === 'Dr Second', 20_000, 'labels after the change record the new name');
    assert.equal(annotatorOf(doc, 0), 'Dr Ada Test', 'earlier labels keep who made them');
    await vscode.commands.executeCommand('workbench.action.files.revert');
  });
});
