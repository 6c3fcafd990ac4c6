import * as vscode from 'vscode';
import { applyLabelToLine, minimalReplacement } from '../../core/labels/lineEdit';
import { fnv1a } from '../../core/labels/displayOrder';
import { parsePrefsLine, type Label } from '../../core/labels/prefsRecord';
import { ensureAnnotator } from './annotator';

export type EditOutcome = { ok: true; changed: boolean } | { ok: false; reason: string };

/**
 * One decision = one minimal WorkspaceEdit of that record's line, so undo, redo, dirty state, hot exit and
 * git diff all work natively. `expect` (FNV-1a of the line the user saw) stops an edit landing on a line
 * that changed meanwhile.
 */
export async function editRecordLine(
  document: vscode.TextDocument,
  line: number,
  change: { label?: Label | null; rationale?: string },
  expect?: number,
): Promise<EditOutcome> {
  // Asked before the line is read: the question may take a while, and the edit must see the latest text.
  const annotator = await ensureAnnotator();
  if (!annotator) return { ok: false, reason: 'no annotator name given (each label records who decided; Clinical FT: Set annotator name)' };
  if (line < 0 || line >= document.lineCount) return { ok: false, reason: `line ${line + 1} no longer exists` };
  const text = document.lineAt(line).text;
  if (expect !== undefined && fnv1a(text) !== expect) return { ok: false, reason: `line ${line + 1} changed since it was shown` };
  const rec = parsePrefsLine(text, line);
  if (rec.kind !== 'pair') return { ok: false, reason: `line ${line + 1} is not a preference record; left untouched` };
  const label = change.label === undefined ? rec.label : change.label === null ? undefined : change.label;
  const next = applyLabelToLine(text, {
    annotator,
    label,
    rationale: change.rationale,
    time: new Date().toISOString(),
  });
  const r = minimalReplacement(text, next);
  if (!r) return { ok: true, changed: false };
  const edit = new vscode.WorkspaceEdit();
  edit.replace(document.uri, new vscode.Range(line, r.start, line, r.end), r.text);
  const applied = await vscode.workspace.applyEdit(edit);
  return applied ? { ok: true, changed: true } : { ok: false, reason: 'VS Code refused the edit (is the file read-only?)' };
}

/** Serialises edits per document: rapid key presses must apply in order, each against the latest text. */
const queues = new Map<string, Promise<unknown>>();
export function queued<T>(document: vscode.TextDocument, work: () => Promise<T>): Promise<T> {
  const key = document.uri.toString();
  const run = (queues.get(key) ?? Promise.resolve()).then(work, work);
  const tail = run.catch(() => undefined);
  queues.set(key, tail);
  void tail.then(() => {
    if (queues.get(key) === tail) queues.delete(key);
  });
  return run;
}

/** The CodeLens action: label one line of a JSONL file open in the text editor (A = chosen, B = rejected). */
export async function applyLabelCommand(uri: vscode.Uri, line: number, label: Label, expect?: number): Promise<EditOutcome> {
  const document = await vscode.workspace.openTextDocument(uri);
  const outcome = await queued(document, () => editRecordLine(document, line, { label }, expect));
  if (!outcome.ok) void vscode.window.showWarningMessage(`Clinical FT: label not applied — ${outcome.reason}.`);
  return outcome;
}
