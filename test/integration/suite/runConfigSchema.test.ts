// Edit as JSON with help: *.run.json files get the schema generated from the zod RunConfig (completion,
// hover docs, errors while typing), and relative paths in a config resolve against the workspace folder.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { eventually, ui } from './ui';

const EXTENSION_ID = 'clinical-ft.clinical-ft';
const workspace = () => vscode.workspace.workspaceFolders![0].uri.fsPath;

async function openConfig(name: string, text: string): Promise<vscode.TextDocument> {
  const dir = path.join(workspace(), '.clinical-ft', 'configs');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  const doc = await vscode.workspace.openTextDocument(file);
  await vscode.window.showTextDocument(doc);
  return doc;
}

suite('run config schema', () => {
  suiteSetup(async () => {
    await vscode.extensions.getExtension(EXTENSION_ID)!.activate();
  });

  teardown(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  test('a *.run.json with an unknown key and a wrong type shows errors while typing', async () => {
    const doc = await openConfig('broken.run.json', JSON.stringify({ method: 'sft', model: 'm', data: 'd.jsonl', batchSize: 'four', lerning_rate: 1 }, null, 2));
    const messages = await eventually(() => {
      const d = vscode.languages.getDiagnostics(doc.uri).map((x) => x.message);
      return d.length >= 2 ? d : undefined;
    }, 30_000, 'schema diagnostics on the config');
    assert.ok(messages.some((m) => /lerning_rate/.test(m) || /not allowed/i.test(m)), messages.join(' | '));
    assert.ok(messages.some((m) => /Incorrect type|integer/i.test(m)), messages.join(' | '));
  });

  test('completion offers the run config fields with their documentation', async () => {
    const doc = await openConfig('complete.run.json', '{\n  "method": "sft",\n  \n}\n');
    const list = await eventually(async () => {
      const l = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', doc.uri, new vscode.Position(2, 2));
      return l.items.some((i) => /batchSize/.test(typeof i.label === 'string' ? i.label : i.label.label)) ? l : undefined;
    }, 30_000, 'completion items from the schema');
    const item = list.items.find((i) => /"?maxLength"?/.test(typeof i.label === 'string' ? i.label : i.label.label));
    assert.ok(item, 'maxLength offered');
    const doc2 = item.documentation;
    const text = typeof doc2 === 'string' ? doc2 : doc2?.value ?? '';
    assert.match(text, /truncated/, 'hover/completion docs come from the zod descriptions');
  });

  test('Start run from config resolves relative paths against the workspace folder and names the resolved path when missing', async () => {
    const doc = await openConfig('relative.run.json', JSON.stringify({ method: 'sft', model: 'datasets-sample/model', data: 'datasets-sample/uti/uti.train.sft.jsonl', evalData: 'no-such-folder/eval.jsonl', steps: 2 }, null, 2));
    await vscode.commands.executeCommand('notifications.clearAll');
    await vscode.commands.executeCommand('clinicalFt.startRunFromConfig', doc.uri);
    await vscode.commands.executeCommand('notifications.showList');
    const shown = await eventually(async () => {
      const notes = await ui.query('.notification-list-item');
      return notes.texts.some((t) => /relative\.run\.json/.test(t)) ? notes.texts : undefined;
    }, 30_000, 'the error notification');
    const resolved = path.join(workspace(), 'no-such-folder', 'eval.jsonl');
    assert.ok(shown.some((m) => m.includes(`evalData ${resolved}`)), `error names the resolved path ${resolved}: ${shown.join(' | ')}`);
    assert.ok(!shown.some((m) => m.includes(path.join('.clinical-ft', 'configs', 'datasets-sample'))), 'model and data resolved against the workspace, not the configs folder');
  });
});
