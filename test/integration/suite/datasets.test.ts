// Datasets in the real editor: live diagnostics appear on a broken dataset and clear when it is fixed (by a
// quick fix), the editor and the CLI report the same line/column/code on every defect file, and the dataset
// preview renders the sample sets (screenshots under test-artifacts/).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { ui, eventually } from './ui';
import { trainerCliSync } from './trainerCli';

const EXTENSION_ID = 'clinical-ft.clinical-ft';

interface Expected {
  severity: string;
  code: string;
  line: number;
  column: number;
}

const ws = () => vscode.workspace.workspaceFolders![0].uri.fsPath;
const key = (x: Expected) => `${x.line}:${x.column}:${x.code}:${x.severity}`;
const sorted = (xs: Expected[]) => [...xs].sort((a, b) => key(a).localeCompare(key(b)));

function editorIssues(uri: vscode.Uri): Expected[] {
  return vscode.languages
    .getDiagnostics(uri)
    .filter((d) => d.source === 'Clinical FT')
    .map((d) => ({
      severity: d.severity === vscode.DiagnosticSeverity.Error ? 'error' : 'warning',
      code: String(d.code),
      line: d.range.start.line + 1,
      column: d.range.start.character + 1,
    }));
}

function cliIssues(extensionPath: string, file: string): Expected[] {
  const r = trainerCliSync(extensionPath, ['validate', file, '--json']);
  assert.ok(r.status === 0 || r.status === 1, `validate exited ${r.status}: ${r.stderr}`);
  const out = JSON.parse(r.stdout) as { errors: Expected[]; warnings: Expected[] };
  return [...out.errors.map((e) => ({ ...e, severity: 'error' })), ...out.warnings.map((e) => ({ ...e, severity: 'warning' }))].map(({ severity, code, line, column }) => ({ severity, code, line, column }));
}

suite('datasets', () => {
  let extensionPath: string;

  suiteSetup(async () => {
    const ext = vscode.extensions.getExtension<{ extensionPath: string }>(EXTENSION_ID);
    assert.ok(ext);
    extensionPath = (await ext.activate()).extensionPath;
  });

  teardown(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  test('diagnostics appear on a broken dataset, a quick fix repairs it, and they clear', async () => {
    const file = path.join(ws(), 'datasets-sample', 'scratch', 'broken.sft.jsonl');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.copyFileSync(path.join(ws(), 'datasets-sample', 'defects', 'alias-output.jsonl'), file);
    const uri = vscode.Uri.file(file);
    const doc = await vscode.workspace.openTextDocument(uri);
    const editor = await vscode.window.showTextDocument(doc);

    const first = await eventually(() => {
      const d = editorIssues(uri);
      return d.length ? d : undefined;
    }, 30_000, 'diagnostics on the broken file');
    assert.deepEqual(first, [{ severity: 'error', code: 'field_alias', line: 2, column: doc.lineAt(1).text.indexOf('"output"') + 1 }]);
    await ui.waitFor('.squiggly-error', { timeoutMs: 20_000 });
    await ui.screenshot('datasets-diagnostics-broken');

    // Break it further by typing (unsaved, debounced in-process path): a syntax error on a new line.
    await editor.edit((e) => e.insert(new vscode.Position(doc.lineCount - 1, 0), '{"prompt": "x", "completion": }\n'));
    await eventually(() => editorIssues(uri).some((d) => d.code === 'json_syntax' && d.line === 3 && d.column === 31), 20_000, 'a syntax error on line 3');
    await editor.edit((e) => e.delete(doc.lineAt(2).rangeIncludingLineBreak));

    const diag = vscode.languages.getDiagnostics(uri).find((d) => d.code === 'field_alias')!;
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', uri, diag.range);
    const fix = actions.find((a) => a.title === 'Rename "output" to "completion"');
    assert.ok(fix?.edit, `quick fix offered: ${actions.map((a) => a.title).join(', ')}`);
    assert.ok(await vscode.workspace.applyEdit(fix.edit));
    assert.match(doc.lineAt(1).text, /"completion":" yes"/);
    await eventually(() => editorIssues(uri).length === 0, 20_000, 'diagnostics to clear after the fix');
    await doc.save();
    await eventually(() => editorIssues(uri).length === 0, 20_000, 'still clear after saving');
    await ui.screenshot('datasets-diagnostics-fixed');
  });

  test('the editor and the CLI agree on every defect file (line, column, code, severity)', async () => {
    const dir = path.join(ws(), 'datasets-sample', 'defects');
    const expected = JSON.parse(fs.readFileSync(path.join(dir, 'expected.json'), 'utf8')) as Record<string, Expected[]>;
    const mismatches: string[] = [];
    for (const [name, want] of Object.entries(expected)) {
      const uri = vscode.Uri.file(path.join(dir, name));
      await vscode.workspace.openTextDocument(uri);
      await vscode.commands.executeCommand('clinicalFt.validateDataset', uri);
      const editor = sorted(editorIssues(uri));
      const cli = sorted(cliIssues(extensionPath, uri.fsPath));
      if (JSON.stringify(editor) !== JSON.stringify(cli)) mismatches.push(`${name}: editor ${JSON.stringify(editor)} vs CLI ${JSON.stringify(cli)}`);
      if (JSON.stringify(cli) !== JSON.stringify(sorted(want))) mismatches.push(`${name}: CLI ${JSON.stringify(cli)} vs expected ${JSON.stringify(sorted(want))}`);
    }
    assert.deepEqual(mismatches, []);
    console.log(`    ${Object.keys(expected).length} defect files: editor = CLI = expected`);
  });

  test('a workspace setting cannot turn clinicalFt.phiAsErrors off against the user; PHI messages name the kind, not the text', async () => {
    const cfg = () => vscode.workspace.getConfiguration('clinicalFt');
    const file = vscode.Uri.file(path.join(ws(), 'datasets-sample', 'defects', 'phi-phone.jsonl'));
    try {
      await cfg().update('phiAsErrors', true, vscode.ConfigurationTarget.Global);
      await cfg().update('phiAsErrors', false, vscode.ConfigurationTarget.Workspace);
      const result = await vscode.commands.executeCommand<{ errors: { code: string; message: string }[]; warnings: { code: string; message: string }[] }>('clinicalFt.validateDataset', file);
      assert.ok(result);
      const phi = [...result.errors, ...result.warnings].filter((i) => i.code.startsWith('phi_'));
      assert.ok(phi.length > 0);
      assert.deepEqual(result.errors.filter((i) => i.code.startsWith('phi_')).length, phi.length, 'the user\'s PHI-as-errors holds against the workspace\'s false');
      for (const i of phi) assert.ok(!i.message.includes('617-555-0142') && !i.message.includes('555-0142'), i.message);
      for (const i of phi) assert.match(i.message, /possible PHI \(.+, \d+ characters?\)/);
    } finally {
      await cfg().update('phiAsErrors', undefined, vscode.ConfigurationTarget.Workspace);
      await cfg().update('phiAsErrors', undefined, vscode.ConfigurationTarget.Global);
    }
  });

  test('the dataset preview renders the sample sets: table, record, stats', async () => {
    const sample = (...p: string[]) => vscode.Uri.file(path.join(ws(), 'datasets-sample', ...p));

    await vscode.commands.executeCommand('clinicalFt.openDatasetPreview', sample('triage', 'triage.train.sft.jsonl'));
    await ui.waitFor('#stat-records:has-text("400")', { inWebview: true, timeoutMs: 60_000 });
    await ui.waitFor('.row[data-index="0"][data-line="1"]', { inWebview: true, timeoutMs: 30_000 });
    const rows = await ui.query('.row', { inWebview: true });
    assert.ok(rows.count > 5 && rows.count < 120, `virtualized: ${rows.count} rows in the DOM for 400 records`);
    assert.match((await ui.query('#stat-format', { inWebview: true })).texts[0], /chat messages/);
    assert.ok((await ui.query('#histogram .bar', { inWebview: true })).count > 1, 'length histogram');
    // Token counts arrive from a trainer child after the character lengths.
    await ui.waitFor('.card-title:has-text("Length in tokens")', { inWebview: true, timeoutMs: 60_000 });
    assert.ok((await ui.query('#labels .label-row', { inWebview: true })).count >= 3, 'label distribution of triage answers');
    await ui.click('.row[data-index="2"]', { inWebview: true });
    await ui.waitFor('#record .turn.role-assistant:has-text("Urgency:")', { inWebview: true });
    await ui.screenshot('dataset-preview-triage');

    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.commands.executeCommand('clinicalFt.openDatasetPreview', sample('reasoning', 'reasoning.train.dpo.jsonl'));
    await ui.waitFor('#stat-records:has-text("300")', { inWebview: true, timeoutMs: 60_000 });
    await ui.click('.row[data-index="0"]', { inWebview: true, timeoutMs: 30_000 });
    await ui.waitFor('#record .pair .side.rejected', { inWebview: true });
    await ui.screenshot('dataset-preview-dpo');

    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.commands.executeCommand('clinicalFt.openDatasetPreview', sample('phi', 'phi-labelled.jsonl'));
    await ui.waitFor('#stat-records:has-text("320")', { inWebview: true, timeoutMs: 60_000 });
    const phi = Number((await ui.query('#phi-count', { inWebview: true })).texts[0]);
    assert.ok(phi > 300, `PHI findings counted: ${phi}`);
    await ui.click('#search', { inWebview: true });
    await ui.type('555');
    await ui.waitFor('#count:has-text("of 320 rows")', { inWebview: true, timeoutMs: 30_000 });
    await ui.screenshot('dataset-preview-phi');
    // Jump to line: the first finding opens the file at that line.
    await ui.click('#phi-list button', { inWebview: true });
    await eventually(() => vscode.window.visibleTextEditors.find((e) => e.document.uri.fsPath.endsWith('phi-labelled.jsonl')), 20_000, 'the dataset opened at the finding');
  });
});
