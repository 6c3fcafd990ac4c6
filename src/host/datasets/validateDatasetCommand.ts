import * as vscode from 'vscode';
import * as path from 'node:path';
import type { DatasetDiagnostics } from './datasetDiagnostics';
import type { ValidationResult } from '../../core/datasets/issues';
import { FORMAT_LABELS } from '../../core/datasets/records';

/** "Clinical FT: Validate dataset": the explorer's file, the active editor's, or one picked; results in Problems. */
export async function validateDatasetCommand(diagnostics: DatasetDiagnostics, arg?: unknown): Promise<ValidationResult | undefined> {
  let uri = arg instanceof vscode.Uri ? arg : vscode.window.activeTextEditor?.document.uri;
  if (!uri || uri.scheme !== 'file' || !uri.fsPath.endsWith('.jsonl')) {
    const picked = await vscode.window.showOpenDialog({ canSelectMany: false, filters: { 'JSON Lines': ['jsonl'] }, title: 'Validate dataset' });
    uri = picked?.[0];
  }
  if (!uri) return undefined;
  const target = uri;
  const name = path.basename(target.fsPath);
  let result: ValidationResult;
  try {
    result = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: `Clinical FT: validating ${name}` }, () => diagnostics.validateUri(target));
  } catch (e) {
    void vscode.window.showErrorMessage(`Clinical FT: cannot validate ${name}: ${e instanceof Error ? e.message : String(e)}`);
    return undefined;
  }
  const errors = result.errors.length + (result.omittedErrors ?? 0);
  const warnings = result.warnings.length + (result.omittedWarnings ?? 0);
  const summary = `${name}: ${result.records} valid records${result.format ? ` (${FORMAT_LABELS[result.format]})` : ''}, ${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}.`;
  const show = errors || warnings ? 'Show problems' : undefined;
  const notify = errors ? vscode.window.showErrorMessage : warnings ? vscode.window.showWarningMessage : vscode.window.showInformationMessage;
  void Promise.resolve(show ? notify(summary, show) : notify(summary)).then((choice) => {
    if (choice === show) void vscode.commands.executeCommand('workbench.actions.view.problems');
  });
  return result;
}
