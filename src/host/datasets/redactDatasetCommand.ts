// "Redact PHI in dataset…": asks placeholder or surrogate mode and where the new file goes (never the dataset
// itself), writes it with its audit manifest, and shows the per-kind summary.
import * as vscode from 'vscode';
import * as path from 'node:path';
import { redactFile, redactionSummary } from '../../core/node/redactFile';
import type { RedactMode } from '../../core/phi/redact';

/** Given by callers that already know the answers (tests, other commands): no questions asked. */
interface RedactChoices {
  mode: RedactMode;
  out: string;
}
const isChoices = (x: unknown): x is RedactChoices =>
  !!x && typeof x === 'object' && !Array.isArray(x) && ((x as RedactChoices).mode === 'placeholder' || (x as RedactChoices).mode === 'surrogate') && typeof (x as RedactChoices).out === 'string';

export async function redactDatasetCommand(arg?: unknown, given?: unknown): Promise<void> {
  const uri = arg instanceof vscode.Uri ? arg : vscode.window.activeTextEditor?.document.uri;
  if (!uri || uri.scheme !== 'file' || !uri.fsPath.endsWith('.jsonl')) {
    void vscode.window.showErrorMessage('Redact PHI: open or select a .jsonl dataset first.');
    return;
  }
  const choices = isChoices(given) ? given : undefined;
  const mode = choices ? { mode: choices.mode } : await vscode.window.showQuickPick(
    [
      { label: 'Typed placeholders', description: '[NAME], [DATE], [PHONE], …', mode: 'placeholder' as RedactMode },
      { label: 'Surrogates', description: 'invented values, consistent per patient; dates shifted by one offset per patient', mode: 'surrogate' as RedactMode },
    ],
    { title: `Redact PHI in ${path.basename(uri.fsPath)}`, placeHolder: 'Replace identifiers with…' },
  );
  if (!mode) return;
  const suggested = vscode.Uri.file(uri.fsPath.replace(/\.jsonl$/, '.redacted.jsonl'));
  const out = choices ? vscode.Uri.file(choices.out) : await vscode.window.showSaveDialog({ defaultUri: suggested, filters: { 'JSON Lines': ['jsonl'] }, title: 'Save the redacted copy as' });
  if (!out) return;
  const manifest = `${out.fsPath}.redaction.json`;
  try {
    const m = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Redacting ${path.basename(uri.fsPath)}…` }, () =>
      redactFile(uri.fsPath, out.fsPath, { mode: mode.mode, manifest }),
    );
    const summary = redactionSummary(m, manifest);
    const [first, ...rest] = summary.split('\n');
    if (choices) {
      void vscode.window.showInformationMessage(first);
      return;
    }
    const pick = await vscode.window.showInformationMessage(first, { detail: rest.join('\n'), modal: false }, 'Open redacted file', 'Open manifest');
    if (pick === 'Open redacted file') await vscode.window.showTextDocument(out);
    if (pick === 'Open manifest') await vscode.window.showTextDocument(vscode.Uri.file(manifest));
  } catch (e) {
    void vscode.window.showErrorMessage(`Redact PHI: ${e instanceof Error ? e.message : String(e)}`);
  }
}
