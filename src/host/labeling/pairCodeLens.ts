import * as vscode from 'vscode';
import { fnv1a } from '../../core/labels/displayOrder';
import { parsePrefsLine, type Label } from '../../core/labels/prefsRecord';

const APPLY_LABEL_COMMAND = 'clinicalFt.labels.applyLabel';
const OPEN_SIDE_BY_SIDE_COMMAND = 'clinicalFt.labels.openSideBySide';

/** Beyond this many lines the lenses would cost more than they help; the labeler still opens the file. */
const MAX_LINES = 20_000;

/** "Prefer A · Prefer B · Tie · Open side by side" above every pair line of a JSONL file (A = chosen, B = rejected). */
export class PairCodeLensProvider implements vscode.CodeLensProvider {
  provideCodeLenses(document: vscode.TextDocument, token: vscode.CancellationToken): vscode.CodeLens[] {
    if (document.lineCount > MAX_LINES) return [];
    const lenses: vscode.CodeLens[] = [];
    for (let i = 0; i < document.lineCount; i++) {
      if (token.isCancellationRequested) return [];
      const text = document.lineAt(i).text;
      // Cheap pre-check: only lines that could be pairs are parsed.
      if (!text.includes('"chosen"') || !text.includes('"rejected"')) continue;
      const rec = parsePrefsLine(text, i);
      if (rec.kind !== 'pair') continue;
      const range = new vscode.Range(i, 0, i, 0);
      const hash = fnv1a(text);
      const mark = (l: Label, title: string) => (rec.label === l ? `✓ ${title}` : title);
      const lens = (title: string, label: Label) =>
        new vscode.CodeLens(range, { title: mark(label, title), command: APPLY_LABEL_COMMAND, arguments: [document.uri, i, label, hash], tooltip: `Label this record "${label}" (meta.label)` });
      lenses.push(
        lens('Prefer A', 'A'),
        lens('Prefer B', 'B'),
        lens('Tie', 'tie'),
        new vscode.CodeLens(range, { title: 'Open side by side', command: OPEN_SIDE_BY_SIDE_COMMAND, arguments: [document.uri, i] }),
      );
    }
    return lenses;
  }
}
