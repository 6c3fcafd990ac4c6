import * as vscode from 'vscode';
import * as path from 'node:path';
import { annotatorAgreement, formatAgreement, type AgreementResult } from '../../core/labels/agreement';
import type { PreferenceEditorProvider } from './preferenceEditor';


let channel: vscode.OutputChannel | undefined;

/**
 * "Clinical FT: Annotator agreement": two labeled copies of the same pairs → Cohen's kappa over shared ids,
 * the confusion table in the output, and a list of disagreements that open both records side by side.
 */
export async function annotatorAgreementCommand(
  labeler: PreferenceEditorProvider,
  first?: vscode.Uri,
  second?: vscode.Uri,
): Promise<AgreementResult | undefined> {
  if (!(first instanceof vscode.Uri) || !(second instanceof vscode.Uri)) {
    const picked = await vscode.window.showOpenDialog({
      title: 'Annotator agreement: select the two labeled files',
      canSelectMany: true,
      filters: { 'JSON Lines': ['jsonl'] },
      defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri,
    });
    if (!picked) return undefined;
    if (picked.length !== 2) {
      void vscode.window.showErrorMessage(`Clinical FT: select exactly two labeled files (got ${picked.length}).`);
      return undefined;
    }
    [first, second] = picked;
  }
  const [a, b] = await Promise.all([vscode.workspace.openTextDocument(first), vscode.workspace.openTextDocument(second)]);
  const result = annotatorAgreement(a.getText(), b.getText());
  const [nameA, nameB] = [path.basename(first.fsPath), path.basename(second.fsPath)];
  channel ??= vscode.window.createOutputChannel('Clinical FT: Agreement');
  channel.append(`\n${formatAgreement(result, nameA, nameB)}`);
  channel.show(true);
  const kappa = result.kappa === null ? 'undefined' : result.kappa.toFixed(3);
  if (result.shared === 0) {
    void vscode.window.showWarningMessage(`Clinical FT: ${nameA} and ${nameB} share no labeled record ids; kappa is undefined.`);
    return result;
  }
  const pick = vscode.window.createQuickPick<vscode.QuickPickItem & { index: number }>();
  pick.title = `κ = ${kappa} over ${result.shared} shared ids — ${result.disagreements.length} disagreement${result.disagreements.length === 1 ? '' : 's'}`;
  pick.placeholder = result.disagreements.length ? 'Open a disagreement side by side' : 'The annotators agree on every shared record';
  pick.matchOnDescription = true;
  pick.items = result.disagreements.map((d, index) => ({
    index,
    label: d.id,
    description: `${nameA}: ${d.first.label} · ${nameB}: ${d.second.label}`,
    detail: `lines ${d.first.line} and ${d.second.line}`,
  }));
  pick.onDidAccept(() => {
    const item = pick.selectedItems[0];
    if (!item) return;
    const d = result.disagreements[item.index];
    void labeler.reveal(first, d.first.line - 1, vscode.ViewColumn.One).then(() => labeler.reveal(second, d.second.line - 1, vscode.ViewColumn.Two));
  });
  pick.onDidHide(() => pick.dispose());
  pick.show();
  return result;
}
