// Quick fixes on a PHI diagnostic: replace the identifier with its typed placeholder ("[NAME]"), or record it as
// a false positive in the workspace allow-list (a hash, never the text), which validate, the trainer's PHI gate
// and redact all honour.
import * as vscode from 'vscode';
import * as path from 'node:path';
import { PHI_CATEGORIES, PHI_LABELS, type PhiCategory } from '../../core/phi/detectors';
import { PLACEHOLDERS } from '../../core/phi/redact';
import { ALLOW_LIST_RELATIVE } from '../../core/phi/allowList';
import { addToAllowList } from '../../core/node/phiAllowList';

export const ALLOW_PHI_COMMAND = 'clinicalFt.allowPhiFinding';

const kindOf = (code: string): PhiCategory | undefined => {
  const k = code.replace(/^phi_/, '');
  return (PHI_CATEGORIES as readonly string[]).includes(k) ? (k as PhiCategory) : undefined;
};

export function phiQuickFixes(document: vscode.TextDocument, d: vscode.Diagnostic): vscode.CodeAction[] {
  const kind = kindOf(String(d.code));
  if (!kind || d.range.isEmpty) return [];
  const replace = new vscode.CodeAction(`Replace with ${PLACEHOLDERS[kind]}`, vscode.CodeActionKind.QuickFix);
  replace.edit = new vscode.WorkspaceEdit();
  replace.edit.replace(document.uri, d.range, PLACEHOLDERS[kind]);
  replace.diagnostics = [d];
  replace.isPreferred = true;
  const allow = new vscode.CodeAction(`Not PHI: allow this ${PHI_LABELS[kind]} in this workspace`, vscode.CodeActionKind.QuickFix);
  allow.command = { command: ALLOW_PHI_COMMAND, title: allow.title, arguments: [document.uri, d.range, kind] };
  allow.diagnostics = [d];
  return [replace, allow];
}

/** Adds the text under `range` (decoded from its JSON string form) to the workspace allow-list. */
export async function allowPhiFinding(uri: vscode.Uri, range: vscode.Range, kind: string): Promise<boolean> {
  const doc = await vscode.workspace.openTextDocument(uri);
  const raw = doc.getText(range);
  let text: string;
  try {
    text = JSON.parse(`"${raw}"`) as string;
  } catch {
    text = raw;
  }
  const folder = vscode.workspace.getWorkspaceFolder(uri)?.uri.fsPath ?? path.dirname(uri.fsPath);
  const file = path.join(folder, ALLOW_LIST_RELATIVE);
  try {
    addToAllowList(file, kind, text);
  } catch (e) {
    void vscode.window.showErrorMessage(`Could not update ${file}: ${e instanceof Error ? e.message : String(e)}`);
    return false;
  }
  return true;
}
