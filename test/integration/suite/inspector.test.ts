// "Show training tokens" in the real editor: the CodeLens on a JSONL record and the dataset preview open the
// token view, which shows exactly the tokens `clinical-ft inspect` says are trained, and warns when truncation
// leaves no answer token.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { ui, eventually } from './ui';
import { trainerCliSync } from './trainerCli';

const EXTENSION_ID = 'clinical-ft.clinical-ft';
const ws = () => vscode.workspace.workspaceFolders![0].uri.fsPath;
/** The webview shows whitespace visibly (webview/inspector/index.ts). */
const visible = (piece: string) => piece.replace(/ /g, '·').replace(/\n/g, '↵').replace(/\t/g, '→');

suite('training-token inspector', () => {
  let extensionPath: string;
  let file: string;
  const model = () => path.join(ws(), 'datasets-sample', 'model');

  suiteSetup(async () => {
    const ext = vscode.extensions.getExtension<{ extensionPath: string }>(EXTENSION_ID);
    assert.ok(ext);
    extensionPath = (await ext.activate()).extensionPath;
    file = path.join(ws(), 'datasets-sample', 'scratch', 'inspect.sft.jsonl');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const rows = [
      { messages: [{ role: 'user', content: 'Chest pain for an hour.' }, { role: 'assistant', content: 'Urgency: emergency' }] },
      // One format per file (the validator's rule), so the long record is a chat too.
      { messages: [{ role: 'user', content: `${'Long history. '.repeat(40)}Triage?` }, { role: 'assistant', content: 'Urgency: urgent' }] },
    ];
    fs.writeFileSync(file, rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
  });

  teardown(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  function cliTrained(line: number, maxLength: number): string[] {
    const r = trainerCliSync(extensionPath, ['inspect', '--model', model(), '--data', file, '--line', String(line), '--max-length', String(maxLength), '--json']);
    assert.ok(r.status === 0 || r.status === 1, `inspect exited ${r.status}: ${r.stderr}`);
    const j = JSON.parse(r.stdout) as { pieces: string[]; trained: boolean[] };
    return j.pieces.filter((_, i) => j.trained[i]).map(visible);
  }

  test('the CodeLens on a record opens its tokens, trained ones exactly as the CLI says', async () => {
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(vscode.Uri.file(file)));
    await ui.waitFor('.codelens-decoration a:has-text("Show training tokens")', { timeoutMs: 30_000 });
    await ui.click('.codelens-decoration a:has-text("Show training tokens")');
    const expected = cliTrained(1, 512);
    assert.ok(expected.length > 0);
    const shown = await eventually(async () => {
      const q = await ui.query('.tokens .tok.trained', { inWebview: true });
      return q.count > 0 ? q.texts : undefined;
    }, 60_000, 'trained token chips');
    assert.deepEqual(shown, expected, 'exactly the trained tokens');
    const special = await ui.query('.tokens .tok.special', { inWebview: true });
    assert.ok(special.texts.includes('<|assistant|>'), `the template's markers are marked special (${special.texts.join(' ')})`);
    await ui.screenshot('inspector-codelens');
  });

  test('a record whose answer truncation removes shows the warning', async () => {
    await vscode.commands.executeCommand('clinicalFt.showTrainingTokens', { file, line: 2, model: model(), maxLength: 32 });
    const warning = await eventually(async () => {
      const q = await ui.query('[data-testid=warning]', { inWebview: true });
      return q.count ? q.texts[0] : undefined;
    }, 60_000, 'the truncation warning');
    assert.match(warning, /no answer token survives truncation to 32 tokens/);
    assert.deepEqual(cliTrained(2, 32), []);
    await ui.screenshot('inspector-truncated');
  });

  test('the dataset preview opens the token view for the selected record', async () => {
    await vscode.commands.executeCommand('clinicalFt.openDatasetPreview', vscode.Uri.file(file));
    await ui.waitFor('.row', { inWebview: true, timeoutMs: 30_000 });
    await ui.click('.row >> nth=0', { inWebview: true });
    await ui.click('[data-testid=show-tokens]', { inWebview: true, timeoutMs: 30_000 });
    await eventually(async () => (await ui.query('.tokens .tok.trained', { inWebview: true })).count > 0, 60_000, 'token chips from the preview');
  });
});
