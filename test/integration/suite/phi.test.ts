// PHI in the real editor: a PHI diagnostic names the kind (never the text) and offers two quick fixes — replace
// with the typed placeholder, or allow the false positive in the workspace allow-list (which then silences it
// and holds no text) — and "Redact PHI in dataset…" writes a redacted copy and its manifest that validate clean.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { eventually, ui } from './ui';
import { trainerCliSync } from './trainerCli';

const EXTENSION_ID = 'clinical-ft.clinical-ft';
const ws = () => vscode.workspace.workspaceFolders![0].uri.fsPath;
const phiDiagnostics = (uri: vscode.Uri) => vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'Clinical FT' && String(d.code).startsWith('phi_'));

suite('phi redaction', () => {
  let extensionPath: string;
  const scratch = () => path.join(ws(), 'datasets-sample', 'scratch-phi');
  const allowList = () => path.join(ws(), '.clinical-ft', 'phi-allowlist.json');

  suiteSetup(async () => {
    const ext = vscode.extensions.getExtension<{ extensionPath: string }>(EXTENSION_ID);
    assert.ok(ext);
    extensionPath = (await ext.activate()).extensionPath;
    fs.rmSync(allowList(), { force: true });
  });

  suiteTeardown(() => {
    fs.rmSync(scratch(), { recursive: true, force: true });
    fs.rmSync(allowList(), { force: true });
  });

  teardown(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  test('PHI quick fixes: replace with [NAME], or allow a false positive in the workspace allow-list', async () => {
    fs.mkdirSync(scratch(), { recursive: true });
    const file = path.join(scratch(), 'notes.sft.jsonl');
    fs.writeFileSync(
      file,
      `${JSON.stringify({ prompt: 'Met with Berta Szöllössy about the results.', completion: 'ok' })}\n${JSON.stringify({ prompt: 'Spoke with Zorbulax about the dose.', completion: 'ok' })}\n`,
    );
    const uri = vscode.Uri.file(file);
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc);
    const diags = await eventually(() => (phiDiagnostics(uri).length === 2 ? phiDiagnostics(uri) : undefined), 30_000, 'two PHI warnings');
    for (const d of diags) {
      assert.match(d.message, /possible PHI \(person name, \d+ characters\)/);
      assert.ok(!d.message.includes('Szöllössy') && !d.message.includes('Zorbulax'), 'the message never quotes the text');
    }
    await ui.waitFor('.squiggly-warning', { timeoutMs: 20_000 });
    await ui.screenshot('phi-diagnostics');

    const first = diags.find((d) => d.range.start.line === 0)!;
    assert.equal(doc.getText(first.range), 'Berta Szöllössy', 'the whole non-ASCII name is flagged');
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', uri, first.range);
    const titles = actions.map((a) => a.title);
    assert.ok(titles.includes('Replace with [NAME]'), titles.join(', '));
    assert.ok(titles.includes('Not PHI: allow this person name in this workspace'), titles.join(', '));
    assert.ok(await vscode.workspace.applyEdit(actions.find((a) => a.title === 'Replace with [NAME]')!.edit!));
    assert.match(doc.lineAt(0).text, /Met with \[NAME\] about/);
    await eventually(() => phiDiagnostics(uri).length === 1, 20_000, 'the replaced name no longer flagged');

    const second = phiDiagnostics(uri)[0];
    const allow = (await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', uri, second.range)).find((a) => a.title.startsWith('Not PHI'));
    assert.ok(allow?.command);
    await vscode.commands.executeCommand(allow.command.command, ...(allow.command.arguments ?? []));
    await eventually(() => phiDiagnostics(uri).length === 0, 20_000, 'the allowed false positive no longer flagged');
    const listText = fs.readFileSync(allowList(), 'utf8');
    assert.ok(!listText.includes('Zorbulax'), 'the allow-list holds a hash, not the text');
    await doc.save();
    // The CLI honours the same allow-list (found from the file upwards).
    const r = trainerCliSync(extensionPath, ['validate', file, '--json']);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual((JSON.parse(r.stdout) as { warnings: { code: string }[] }).warnings.filter((w) => w.code.startsWith('phi_')), []);
    await ui.screenshot('phi-quick-fixes-applied');
  });

  test('Redact PHI in dataset… writes a new file and a manifest; the copy validates clean', async () => {
    fs.mkdirSync(scratch(), { recursive: true });
    const file = path.join(scratch(), 'raw.sft.jsonl');
    fs.writeFileSync(file, `${JSON.stringify({ prompt: 'Patient Sara Schwarz, DOB 03/14/1950, call +46 (0)8 928 571 38.', completion: 'Seen on March 3.' })}\n`);
    const out = path.join(scratch(), 'raw.redacted.jsonl');
    await vscode.commands.executeCommand('clinicalFt.redactDataset', vscode.Uri.file(file), { mode: 'placeholder', out });
    await eventually(() => fs.existsSync(`${out}.redaction.json`), 20_000, 'the manifest');
    assert.equal(fs.readFileSync(out, 'utf8'), `${JSON.stringify({ prompt: 'Patient [NAME], DOB [DATE], call [PHONE].', completion: 'Seen on [DATE].' })}\n`);
    const manifest = JSON.parse(fs.readFileSync(`${out}.redaction.json`, 'utf8')) as { counts: Record<string, number>; input: { sha256: string } };
    assert.deepEqual([manifest.counts.name, manifest.counts.date, manifest.counts.phone], [1, 2, 1]);
    assert.ok(!fs.readFileSync(`${out}.redaction.json`, 'utf8').includes('Schwarz'));
    assert.match(fs.readFileSync(file, 'utf8'), /Sara Schwarz/, 'the dataset itself is untouched');
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(out));
    await vscode.window.showTextDocument(doc);
    await vscode.commands.executeCommand('clinicalFt.validateDataset', doc.uri);
    assert.deepEqual(phiDiagnostics(doc.uri), []);
    await ui.screenshot('phi-redacted-copy');
  });
});
